import { useEffect, useRef, useState } from 'preact/hooks';
import type { Person } from '../api.ts';
import { markFirstScreenShown } from '../first-screen.ts';
import { gridKeyStep } from '../keys.ts';
import { usePeople } from '../people.ts';
import { hrefOf } from '../route.ts';
import { FaceCrop } from './FaceCrop.tsx';

/** The people: cover face, name or "Person N", face count; filter by name; hidden people on demand.
 * Arrow keys move between cards, Enter opens one. */

function columnsOf(list: HTMLElement): number {
  const items = Array.from(list.children) as HTMLElement[];
  const top = items[0]?.offsetTop;
  const cols = items.findIndex((el) => el.offsetTop !== top);
  return cols <= 0 ? Math.max(1, items.length) : cols;
}

function PersonCard({ person, label }: { person: Person; label: string }) {
  return (
    <li class={`person-card${person.hidden ? ' hidden-person' : ''}`} data-person-id={person.personId}>
      <a
        href={hrefOf({ view: 'person', personId: person.personId })}
        aria-label={`${label}, ${person.faceCount} faces${person.hidden ? ', hidden' : ''}`}
      >
        {person.coverUrl ? (
          <FaceCrop class="cover" url={person.coverUrl} size={112} loading="lazy" />
        ) : (
          <span class="cover no-crop" />
        )}
        <span class="person-label">{label}</span>
        <span class="face-count">{person.faceCount} faces</span>
      </a>
    </li>
  );
}

export function PeopleGrid() {
  const { people, error, labelOf } = usePeople();
  const [query, setQuery] = useState('');
  const [showHidden, setShowHidden] = useState(false);
  const list = useRef<HTMLUListElement>(null);
  // The covers load lazily as they scroll in: the grid is shown once it is rendered.
  useEffect(() => {
    if (people || error) markFirstScreenShown();
  }, [people, error]);
  if (error) return <p role="alert">Could not load people: {error}</p>;
  if (!people) return <p role="status">Loading people…</p>;
  const q = query.trim().toLowerCase();
  const shown = people.filter(
    (p) => (showHidden || !p.hidden) && (q === '' || labelOf(p.personId).toLowerCase().includes(q)),
  );
  const onKeyDown = (e: KeyboardEvent): void => {
    const el = list.current;
    if (!el) return;
    const links = Array.from(el.querySelectorAll<HTMLAnchorElement>('a'));
    const index = links.indexOf(document.activeElement as HTMLAnchorElement);
    if (index < 0) return;
    const next = gridKeyStep(e.key, index, columnsOf(el), links.length, 3);
    if (next === undefined) return;
    e.preventDefault();
    links[next]?.focus();
  };
  return (
    <section aria-labelledby="people-title">
      <div class="toolbar">
        <h1 id="people-title">People</h1>
        <label>
          Filter people{' '}
          <input
            id="people-filter"
            type="search"
            value={query}
            onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
            placeholder="name…"
          />
        </label>
        <label>
          <input
            type="checkbox"
            checked={showHidden}
            onChange={(e) => setShowHidden((e.target as HTMLInputElement).checked)}
          />{' '}
          Show hidden
        </label>
        <span role="status" class="count">
          {shown.length} of {people.length} people
        </span>
      </div>
      <ul ref={list} class="people-grid" aria-label="People" onKeyDown={onKeyDown}>
        {shown.map((p) => (
          <PersonCard key={p.personId} person={p} label={labelOf(p.personId)} />
        ))}
      </ul>
      {shown.length === 0 ? <p>No people match.</p> : null}
    </section>
  );
}
