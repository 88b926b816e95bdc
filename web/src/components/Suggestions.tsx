import { useEffect, useRef, useState } from 'preact/hooks';
import { isMissingRoute, type Suggestion } from '../api.ts';
import { afterFirstScreen } from '../first-screen.ts';
import { useApi } from '../people.ts';
import { FaceCrop } from './FaceCrop.tsx';

/** "Is this <name>?": faces outside the person that the server thinks may be them, each with its
 * calibrated P(same). Yes moves the face in; No records "not this person" (it is never asked again).
 *
 * A button in the person's toolbar that opens the list in a dialog, not a strip above the faces:
 * the list arrives after the faces, and a strip appearing above the grid moved the faces under the
 * user's pointer (a click meant for a face landed on another one, or on a "Yes"). */
interface Props {
  readonly personId: string;
  readonly label: string;
  readonly version: number;
  readonly onAccept: (faceId: string) => Promise<void>;
  readonly onReject: (faceId: string) => Promise<void>;
}

export function Suggestions({ personId, label, version, onAccept, onReject }: Props) {
  const api = useApi();
  const [list, setList] = useState<Suggestion[] | undefined>(undefined);
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(new Set());
  const [unavailable, setUnavailable] = useState(false);
  const [open, setOpen] = useState(false);
  useEffect(() => {
    let cancelled = false;
    const ask = (): void =>
      void api.suggestions(personId).then(
        (r) => !cancelled && setList(r.suggestions),
        (err: unknown) => {
          if (cancelled) return;
          if (isMissingRoute(err)) setUnavailable(true);
          setList([]);
        },
      );
    // The question waits for the first screen: comparing vectors keeps the server busy (a single
    // thread locally) while the crops of the faces on screen are still coming.
    const cancelAsk = afterFirstScreen(ask);
    return () => {
      cancelled = true;
      cancelAsk();
    };
  }, [api, personId, version]);
  if (unavailable) return null;
  const pending = (list ?? []).filter((s) => !dismissed.has(s.face.faceId));
  const text = list === undefined ? 'Suggestions…' : `Is this ${label}? (${pending.length})`;
  return (
    <>
      <button
        type="button"
        class="suggestions-button"
        disabled={pending.length === 0}
        aria-haspopup="dialog"
        onClick={() => setOpen(true)}
      >
        {text}
      </button>
      {open && pending.length > 0 ? (
        <SuggestionDialog
          label={label}
          suggestions={pending}
          onClose={() => setOpen(false)}
          onAccept={(faceId) => void onAccept(faceId)}
          onDismiss={(faceId) => {
            setDismissed(new Set([...dismissed, faceId]));
            void onReject(faceId);
          }}
        />
      ) : null}
    </>
  );
}

interface DialogProps {
  readonly label: string;
  readonly suggestions: readonly Suggestion[];
  readonly onClose: () => void;
  readonly onAccept: (faceId: string) => void;
  readonly onDismiss: (faceId: string) => void;
}

function SuggestionDialog({ label, suggestions, onClose, onAccept, onDismiss }: DialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={dialog} class="suggestions" aria-labelledby="suggestions-title" onClose={onClose} onCancel={onClose}>
      <h2 id="suggestions-title">Is this {label}?</h2>
      <ul>
        {suggestions.slice(0, 24).map((s) => (
          <li key={s.face.faceId} data-face-id={s.face.faceId} class="suggestion">
            {s.face.cropUrl ? <FaceCrop url={s.face.cropUrl} size={80} /> : null}
            <span class="p-same" title="calibrated probability that this is the same person">
              P(same) {(s.pSame * 100).toFixed(0)}%
            </span>
            <button type="button" aria-label={`Yes, this is ${label}`} onClick={() => onAccept(s.face.faceId)}>
              Yes
            </button>
            <button type="button" aria-label={`No, this is not ${label}`} onClick={() => onDismiss(s.face.faceId)}>
              No
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={onClose}>
        Close
      </button>
    </dialog>
  );
}
