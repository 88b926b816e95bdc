import { render, type ComponentChild } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { Api, peoplePath, personFacesPath } from './api.ts';
import { signOut } from './auth.ts';
import { loadConfig, type AppConfig } from './config.ts';
import { isTyping } from './keys.ts';
import { ApiContext, PeopleContext, usePeopleState } from './people.ts';
import { go, hrefOf, parseRoute, useRoute, type Route } from './route.ts';
import { LooseFaces } from './components/LooseFaces.tsx';
import { MapView } from './components/MapView.tsx';
import { PeopleGrid } from './components/PeopleGrid.tsx';
import { PersonPage } from './components/PersonPage.tsx';
import { Progress } from './components/Progress.tsx';

/** rankface People: one app for `rankface serve` (local SQLite store) and the deployed stack
 * (S3 + CloudFront, Cognito). Everything it shows comes from the REST API. */

const NAV: { route: Route; label: string; key: string }[] = [
  { route: { view: 'people' }, label: 'People', key: 'p' },
  { route: { view: 'loose', kind: 'unassigned' }, label: 'Unassigned', key: 'u' },
  { route: { view: 'loose', kind: 'gated' }, label: 'Low quality', key: 'l' },
  { route: { view: 'map' }, label: 'Map', key: 'g' },
];

const SHORTCUTS: [string, string][] = [
  ['/', 'filter people'],
  ['p u l g', 'people, unassigned, low quality, map'],
  ['arrows, Home, End', 'move between faces or people'],
  ['Enter / Space', 'open a person, select a face (Shift: add to selection)'],
  ['m', 'move the selected faces'],
  ['n', 'not this person'],
  ['w', 'why is this face here'],
  ['Esc', 'clear the selection, close a dialog'],
  ['?', 'this help'],
];

function useGlobalKeys(setHelp: (v: boolean) => void): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (isTyping(e) || e.ctrlKey || e.metaKey || e.altKey || document.querySelector('dialog[open]')) return;
      const nav = NAV.find((n) => n.key === e.key);
      if (nav) go(nav.route);
      else if (e.key === '?') setHelp(true);
      else if (e.key === '/') {
        e.preventDefault();
        go({ view: 'people' });
        setTimeout(() => document.getElementById('people-filter')?.focus(), 0);
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [setHelp]);
}

function Help({ onClose }: { onClose: () => void }) {
  return (
    <dialog open class="help" aria-label="Keyboard shortcuts" onCancel={onClose}>
      <h2>Keyboard shortcuts</h2>
      <dl>
        {SHORTCUTS.map(([k, v]) => (
          <div key={k}>
            <dt>
              <kbd>{k}</kbd>
            </dt>
            <dd>{v}</dd>
          </div>
        ))}
      </dl>
      <button type="button" autoFocus onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}

function View({ route, config }: { route: Route; config: AppConfig }) {
  switch (route.view) {
    case 'person':
      return <PersonPage key={route.personId} personId={route.personId} />;
    case 'loose':
      return <LooseFaces key={route.kind} kind={route.kind} />;
    case 'map':
      return <MapView mapUrl={config.mapUrl} />;
    default:
      return <PeopleGrid />;
  }
}

/** The first view's data, requested before the first render: the people list (every view) and,
 * on a person's page, that person with their faces (one request). */
function startApi(config: AppConfig): Api {
  const api = new Api(config);
  const route = parseRoute(location.hash);
  api.prefetch([peoplePath(true), ...(route.view === 'person' ? [personFacesPath(route.personId)] : [])]);
  return api;
}

function App({ config }: { config: AppConfig }) {
  const api = useMemo(() => startApi(config), [config]);
  const people = usePeopleState(api);
  const route = useRoute();
  const [help, setHelp] = useState(false);
  useGlobalKeys(setHelp);
  const current = hrefOf(route.view === 'person' ? { view: 'people' } : route);
  return (
    <ApiContext.Provider value={api}>
      <PeopleContext.Provider value={people}>
        <header>
          <nav aria-label="Views">
            <strong class="brand">rankface</strong>
            {NAV.map((n) => (
              <a
                key={n.label}
                href={hrefOf(n.route)}
                aria-current={hrefOf(n.route) === current ? 'page' : undefined}
                aria-keyshortcuts={n.key}
              >
                {n.label}
              </a>
            ))}
            <button type="button" class="link" onClick={() => setHelp(true)} aria-keyshortcuts="?">
              Shortcuts
            </button>
            {config.auth.kind === 'cognito' ? (
              <button type="button" class="link" onClick={() => signOut(config.auth)}>
                Sign out
              </button>
            ) : null}
          </nav>
          <Progress pollMs={config.progressPollMs ?? 5000} />
        </header>
        <main>
          <View route={route} config={config} />
        </main>
        {help ? <Help onClose={() => setHelp(false)} /> : null}
      </PeopleContext.Provider>
    </ApiContext.Provider>
  );
}

const root = document.getElementById('app')!;
const start = (app: ComponentChild): void => {
  root.textContent = ''; // the static "Loading…" placeholder
  render(app, root);
};
loadConfig().then(
  (config) => start(<App config={config} />),
  (err: unknown) => start(<p role="alert">rankface could not start: {(err as Error).message}</p>),
);
