import { useEffect, useRef, useState } from 'preact/hooks';
import { usePeople } from '../people.ts';
import { FaceCrop } from './FaceCrop.tsx';

/** A modal list of people to choose from (merge, move), filterable by typing; Escape cancels. */
interface Props {
  readonly title: string;
  readonly exclude?: string;
  readonly onPick: (personId: string) => void;
  readonly onClose: () => void;
}

export function PersonPicker({ title, exclude, onPick, onClose }: Props) {
  const { people, labelOf } = usePeople();
  const [query, setQuery] = useState('');
  const dialog = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = dialog.current;
    if (d && !d.open) d.showModal();
  }, []);
  const q = query.trim().toLowerCase();
  const options = (people ?? []).filter(
    (p) => p.personId !== exclude && !p.hidden && (q === '' || labelOf(p.personId).toLowerCase().includes(q)),
  );
  return (
    <dialog ref={dialog} class="picker" aria-label={title} onClose={onClose} onCancel={onClose}>
      <h2>{title}</h2>
      <label>
        Find a person{' '}
        <input
          type="search"
          value={query}
          autoFocus
          onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && options[0]) onPick(options[0].personId);
          }}
        />
      </label>
      <ul class="picker-list" aria-label="People">
        {options.slice(0, 200).map((p) => (
          <li key={p.personId}>
            <button type="button" data-pick-person-id={p.personId} onClick={() => onPick(p.personId)}>
              {p.coverUrl ? <FaceCrop url={p.coverUrl} size={40} /> : null}
              <span>{labelOf(p.personId)}</span> <small>{p.faceCount} faces</small>
            </button>
          </li>
        ))}
      </ul>
      <button type="button" onClick={onClose}>
        Cancel
      </button>
    </dialog>
  );
}
