import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Face, type Person } from '../api.ts';
import { isTyping } from '../keys.ts';
import { useApi, usePeople } from '../people.ts';
import { FaceGrid } from './FaceGrid.tsx';
import { PersonPicker } from './PersonPicker.tsx';
import { Suggestions } from './Suggestions.tsx';
import { WhyPanel } from './WhyPanel.tsx';

/** One person: every face (virtualised), rename in place (the `Name` box, Enter), hide/unhide,
 * merge another person in, and per-face actions on the selection: move (m), not this person (n),
 * why (w). Every edit reloads from the API, so what is shown is what the server has. */

type Dialog = { kind: 'merge' } | { kind: 'move' } | { kind: 'why'; faceId: string } | undefined;

interface PersonFaces {
  readonly person: Person;
  readonly faces: readonly Face[];
  /** Where the next page starts; undefined once every face is here. */
  readonly nextCursor: string | undefined;
}

/** The person and their faces, a page at a time: the first page on open and after every edit (so
 * what is shown is what the server has), the next ones when the grid scrolls near the end. */
function usePersonFaces(personId: string) {
  const api = useApi();
  const [data, setData] = useState<PersonFaces | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [version, setVersion] = useState(0);
  // A page asked for before the latest reload belongs to an older list: it is dropped.
  const generation = useRef(0);
  const loading = useRef(false);
  const reload = useCallback(async () => {
    const gen = ++generation.current;
    try {
      const first = await api.personFaces(personId);
      if (gen !== generation.current) return;
      setData({ person: first.person, faces: first.faces, nextCursor: first.nextCursor ?? undefined });
      setError(undefined);
    } catch (err) {
      setError(
        err instanceof ApiError && err.status === 404
          ? 'This person no longer exists (merged or emptied).'
          : (err as Error).message,
      );
    }
    loading.current = false;
    setVersion((v) => v + 1);
  }, [api, personId]);
  const loadMore = useCallback(
    async (after: string) => {
      if (loading.current) return;
      loading.current = true;
      const gen = generation.current;
      try {
        const page = await api.personFaces(personId, after);
        if (gen !== generation.current) return;
        setData((old) =>
          old && old.nextCursor === after
            ? { person: page.person, faces: [...old.faces, ...page.faces], nextCursor: page.nextCursor ?? undefined }
            : old,
        );
      } catch (err) {
        if (gen === generation.current) setError((err as Error).message);
      } finally {
        if (gen === generation.current) loading.current = false;
      }
    },
    [api, personId],
  );
  useEffect(() => {
    setData(undefined);
    void reload();
  }, [reload]);
  return { data, error, reload, loadMore, version };
}

function NameBox({
  person,
  label,
  onRename,
}: {
  person: Person;
  label: string;
  onRename: (name: string | null) => Promise<void>;
}) {
  const [value, setValue] = useState(person.name ?? '');
  useEffect(() => setValue(person.name ?? ''), [person.personId, person.name]);
  return (
    <label class="name-box">
      Name
      <input
        type="text"
        value={value}
        placeholder={label}
        maxLength={200}
        autoComplete="off"
        onInput={(e) => setValue((e.target as HTMLInputElement).value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') void onRename(value.trim() === '' ? null : value.trim());
          if (e.key === 'Escape') setValue(person.name ?? '');
        }}
      />
    </label>
  );
}

export function PersonPage({ personId }: { personId: string }) {
  const api = useApi();
  const people = usePeople();
  const { data, error, reload, loadMore, version } = usePersonFaces(personId);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<Dialog>(undefined);
  const [status, setStatus] = useState('');

  const edit = async (what: string, work: () => Promise<unknown>): Promise<void> => {
    try {
      await work();
      setStatus(what);
    } catch (err) {
      setStatus(`Failed: ${(err as Error).message}`);
    }
    setSelected(new Set());
    await Promise.all([reload(), people.reload()]);
  };
  const sel = [...selected];
  const actions = {
    move: () => sel.length > 0 && setDialog({ kind: 'move' }),
    not: () =>
      sel.length > 0 &&
      void edit(`${sel.length} face(s) removed from this person`, async () => {
        for (const f of sel) await api.notPerson(f);
      }),
    why: () => sel.length === 1 && setDialog({ kind: 'why', faceId: sel[0]! }),
  };
  // The listener reads the latest render's actions through a ref, set during render: an effect
  // re-registered after each render runs after paint, so a key pressed right after a click (a
  // selection) could still reach the previous render's handler with nothing selected.
  const latest = useRef({ actions, dialog });
  latest.current = { actions, dialog };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const { actions: act, dialog: open } = latest.current;
      if (isTyping(e) || open || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === 'm') act.move();
      else if (e.key === 'n') act.not();
      else if (e.key === 'w') act.why();
      else if (e.key === 'Escape') setSelected(new Set());
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);

  if (error)
    return (
      <p role="alert">
        {error} <a href="#/">Back to people</a>
      </p>
    );
  if (!data) return <p role="status">Loading faces…</p>;
  const { person, faces, nextCursor } = data;
  const label =
    people.labelOf(person.personId) === 'Unknown person' ? (person.name ?? 'Person') : people.labelOf(person.personId);
  const toggle = (faceId: string, extend: boolean): void => {
    const next = new Set(extend ? selected : []);
    if (selected.has(faceId) && (extend || selected.size === 1)) next.delete(faceId);
    else next.add(faceId);
    setSelected(next);
  };
  return (
    <section class="person-page" data-person-id={person.personId} aria-labelledby="person-title">
      <div class="toolbar">
        <a href="#/" class="back">
          ← People
        </a>
        <h1 id="person-title">{label}</h1>
        <span class="face-count">
          {person.faceCount} faces{person.hidden ? ' · hidden' : ''}
        </span>
        <NameBox
          person={person}
          label={label}
          onRename={(name) =>
            edit(name ? `Renamed to ${name}` : 'Name cleared', () => api.rename(person.personId, name))
          }
        />
        <button
          type="button"
          onClick={() =>
            void edit(person.hidden ? 'Shown again' : 'Hidden', () => api.setHidden(person.personId, !person.hidden))
          }
        >
          {person.hidden ? 'Unhide' : 'Hide'}
        </button>
        <button type="button" onClick={() => setDialog({ kind: 'merge' })}>
          Merge another person into this one…
        </button>
      </div>
      <div class="actions" role="toolbar" aria-label="Selected faces">
        <span>{selected.size} selected</span>
        <button type="button" disabled={selected.size === 0} onClick={actions.move} aria-keyshortcuts="m">
          Move to another person… (m)
        </button>
        <button type="button" disabled={selected.size === 0} onClick={actions.not} aria-keyshortcuts="n">
          Not this person (n)
        </button>
        <button type="button" disabled={selected.size !== 1} onClick={actions.why} aria-keyshortcuts="w">
          Why? (w)
        </button>
        <Suggestions
          personId={person.personId}
          label={label}
          version={version}
          onAccept={(f) => edit('Face added', () => api.move(f, person.personId))}
          onReject={(f) => edit('Suggestion declined', () => api.notPerson(f, person.personId))}
        />
        <span role="status" class="status">
          {status}
        </span>
      </div>
      <FaceGrid
        faces={faces}
        total={nextCursor === undefined ? faces.length : person.faceCount}
        onNeedMore={nextCursor === undefined ? undefined : () => void loadMore(nextCursor)}
        label={`Faces of ${label}`}
        selected={selected}
        onToggle={toggle}
      />
      {dialog?.kind === 'merge' ? (
        <PersonPicker
          title={`Merge into ${label}`}
          exclude={person.personId}
          onClose={() => setDialog(undefined)}
          onPick={(other) => {
            setDialog(undefined);
            void edit(`${people.labelOf(other)} merged in`, () => api.merge(person.personId, other));
          }}
        />
      ) : null}
      {dialog?.kind === 'move' ? (
        <PersonPicker
          title={`Move ${sel.length} face(s) to`}
          exclude={person.personId}
          onClose={() => setDialog(undefined)}
          onPick={(to) => {
            setDialog(undefined);
            void edit(`Moved to ${people.labelOf(to)}`, async () => {
              for (const f of sel) await api.move(f, to);
            });
          }}
        />
      ) : null}
      {dialog?.kind === 'why' ? <WhyPanel faceId={dialog.faceId} onClose={() => setDialog(undefined)} /> : null}
    </section>
  );
}
