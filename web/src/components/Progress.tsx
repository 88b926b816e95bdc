import { useEffect, useState } from 'preact/hooks';
import type { Photo } from '../api.ts';
import { afterFirstScreen } from '../first-screen.ts';
import { useApi, usePeople } from '../people.ts';

/** Pipeline progress: while photos are still being analysed (detected, not yet embedded), a banner
 * counts them and the people list refreshes as they finish. Silent when everything is done. */
export function Progress({ pollMs }: { pollMs: number }) {
  const api = useApi();
  const people = usePeople();
  const [photos, setPhotos] = useState<Photo[] | undefined>(undefined);
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;
    const poll = async (): Promise<void> => {
      try {
        const list = (await api.photos()).photos;
        setPhotos(list);
        const pending = list.some((p) => p.status === 'detected');
        if (pending) void people.reload();
        if (!stopped && pending) timer = setTimeout(() => void poll(), pollMs);
      } catch {
        // Progress is a nicety: a failed poll leaves the banner as it was.
      }
    };
    // The first poll waits for the first screen: the view's data and crops go first.
    const cancelFirst = afterFirstScreen(() => void poll());
    return () => {
      stopped = true;
      cancelFirst();
      clearTimeout(timer);
    };
  }, [api, pollMs]);
  if (!photos) return null;
  const pending = photos.filter((p) => p.status === 'detected').length;
  const failed = photos.filter((p) => p.status === 'error').length;
  if (pending === 0 && failed === 0) return null;
  return (
    <div class="progress" role="status" aria-live="polite">
      {pending > 0 ? (
        <>
          Analysing photos: {photos.length - pending} of {photos.length} done
          <progress max={photos.length} value={photos.length - pending} aria-label="Photos analysed" />
        </>
      ) : null}
      {failed > 0 ? <span> · {failed} photo(s) could not be read</span> : null}
    </div>
  );
}
