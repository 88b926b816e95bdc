import { useEffect, useState } from 'preact/hooks';
import { isMissingRoute, type Suggestion } from '../api.ts';
import { useApi } from '../people.ts';

/** "Is this <name>?": faces outside the person that the server thinks may be them, each with its
 * calibrated P(same). Yes moves the face in; No only hides the question here. */
interface Props {
  readonly personId: string;
  readonly label: string;
  readonly version: number;
  readonly onAccept: (faceId: string) => Promise<void>;
}

export function Suggestions({ personId, label, version, onAccept }: Props) {
  const api = useApi();
  const [list, setList] = useState<Suggestion[] | undefined>(undefined);
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const [unavailable, setUnavailable] = useState(false);
  useEffect(() => {
    api.suggestions(personId).then(
      (r) => setList(r.suggestions),
      (err: unknown) => {
        if (isMissingRoute(err)) setUnavailable(true);
        setList([]);
      },
    );
  }, [api, personId, version]);
  if (unavailable || !list) return null;
  const open = list.filter((s) => !dismissed.has(s.face.faceId));
  if (open.length === 0) return null;
  return (
    <section class="suggestions" aria-labelledby="suggestions-title">
      <h2 id="suggestions-title">Is this {label}?</h2>
      <ul>
        {open.slice(0, 12).map((s) => (
          <li key={s.face.faceId} data-face-id={s.face.faceId} class="suggestion">
            {s.face.cropUrl ? <img src={s.face.cropUrl} alt="" width={80} height={80} /> : null}
            <span class="p-same" title="calibrated probability that this is the same person">
              P(same) {(s.pSame * 100).toFixed(0)}%
            </span>
            <button type="button" aria-label={`Yes, this is ${label}`} onClick={() => void onAccept(s.face.faceId)}>
              Yes
            </button>
            <button type="button" aria-label={`No, this is not ${label}`} onClick={() => setDismissed(new Set([...dismissed, s.face.faceId]))}>
              No
            </button>
          </li>
        ))}
      </ul>
    </section>
  );
}
