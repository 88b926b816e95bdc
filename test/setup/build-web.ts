import { buildWeb, webBuildIsStale } from '../../scripts/build-web.ts';

/** Vitest global setup: build the web app once, before any test file runs, when its sources are newer
 * than `dist/web`. The CDK stack synthesises the site from that folder and the browser tests serve it;
 * a rebuild inside one test file raced other files reading the folder. */
export default async function setup(): Promise<void> {
  if (await webBuildIsStale()) await buildWeb();
}
