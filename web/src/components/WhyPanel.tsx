import { useEffect, useRef, useState } from 'preact/hooks';
import { isMissingRoute, type Why } from '../api.ts';
import { useApi, usePeople } from '../people.ts';

/** "Why is this face here?": the server's explanation (person, P(same), nearest member faces and
 * their similarity, or why it is unassigned), shown as a list of facts. */

const percent = (p: number): string => `${(p * 100).toFixed(p > 0.995 || p < 0.005 ? 1 : 0)}%`;

function Value({ name, value }: { name: string; value: unknown }) {
  const { labelOf } = usePeople();
  if (typeof value === 'number')
    return <>{/^p/i.test(name) && value >= 0 && value <= 1 ? percent(value) : Number(value.toFixed(4))}</>;
  if (typeof value === 'string') return <>{/person/i.test(name) ? `${labelOf(value)} (${value})` : value}</>;
  if (Array.isArray(value)) {
    return (
      <ul>
        {value.slice(0, 10).map((v, i) => (
          <li key={i}>
            <Value name={name} value={v} />
          </li>
        ))}
      </ul>
    );
  }
  if (value && typeof value === 'object') {
    return (
      <dl>
        {Object.entries(value).map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>
              <Value name={k} value={v} />
            </dd>
          </div>
        ))}
      </dl>
    );
  }
  return <>{String(value)}</>;
}

export function WhyPanel({ faceId, onClose }: { faceId: string; onClose: () => void }) {
  const api = useApi();
  const [why, setWhy] = useState<Why | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    dialog.current?.showModal();
    api
      .why(faceId)
      .then(setWhy, (err: unknown) =>
        setError(isMissingRoute(err) ? 'This server cannot explain faces yet.' : (err as Error).message),
      );
  }, [api, faceId]);
  return (
    <dialog ref={dialog} class="why" aria-label="Why this face is here" onClose={onClose} onCancel={onClose}>
      <h2>Why this face is here</h2>
      {error ? <p role="alert">{error}</p> : why ? <Value name="why" value={why} /> : <p role="status">Loading…</p>}
      <button type="button" onClick={onClose} autoFocus>
        Close
      </button>
    </dialog>
  );
}
