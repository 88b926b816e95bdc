/** The first screen: the view's data and the crops on screen. Requests the first screen does not
 * need (pipeline progress, suggestions) wait for it: `rankface serve` answers on one thread and the
 * browser opens 6 connections per host over HTTP/1.1, so a large list asked for early queues in
 * front of the crops the user is looking at. Views without face crops say so at once; a view that
 * never says (an error, the map) lets the others go after FALLBACK_MS. */
const FALLBACK_MS = 2500;

let markShown: () => void = () => undefined;
export const firstScreenShown: Promise<void> = new Promise((resolve) => {
  markShown = resolve;
  setTimeout(resolve, FALLBACK_MS);
});

/** Called by the view once what is on screen is shown (idempotent). */
export const markFirstScreenShown = (): void => markShown();

/** Runs `work` once the first screen is shown (at once on later calls). */
export function afterFirstScreen(work: () => void): () => void {
  let cancelled = false;
  void firstScreenShown.then(() => {
    if (!cancelled) work();
  });
  return () => {
    cancelled = true;
  };
}
