import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { isMissingRoute, type Face } from '../api.ts';
import { isTyping } from '../keys.ts';
import { useApi, usePeople } from '../people.ts';
import { FaceGrid } from './FaceGrid.tsx';
import { PersonPicker } from './PersonPicker.tsx';
import { WhyPanel } from './WhyPanel.tsx';

/** Faces in no person: unassigned (nobody close enough) or low quality (below the quality gate, never
 * clustered). Either can be moved into a person by hand (m) or explained (w). */

const TITLES = { unassigned: 'Unassigned faces', gated: 'Low-quality faces' } as const;

export function LooseFaces({ kind }: { kind: 'unassigned' | 'gated' }) {
  const api = useApi();
  const people = usePeople();
  const [faces, setFaces] = useState<Face[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [dialog, setDialog] = useState<'move' | 'why' | undefined>(undefined);
  const [status, setStatus] = useState('');
  const load = useCallback(async () => {
    try {
      setFaces((await api.looseFaces(kind)).faces);
      setError(undefined);
    } catch (err) {
      setError(isMissingRoute(err) ? 'This server does not list these faces yet.' : (err as Error).message);
    }
  }, [api, kind]);
  useEffect(() => {
    setFaces(undefined);
    void load();
  }, [load]);
  // Latest state through a ref set during render (see PersonPage: a key right after a click).
  const latest = useRef({ dialog, selected });
  latest.current = { dialog, selected };
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const { dialog: open, selected: sel } = latest.current;
      if (isTyping(e) || open || sel.size === 0) return;
      if (e.key === 'm') setDialog('move');
      else if (e.key === 'w' && sel.size === 1) setDialog('why');
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  const moveTo = async (to: string): Promise<void> => {
    setDialog(undefined);
    try {
      for (const f of selected) await api.move(f, to);
      setStatus(`Moved to ${people.labelOf(to)}`);
    } catch (err) {
      setStatus(`Failed: ${(err as Error).message}`);
    }
    setSelected(new Set());
    await Promise.all([load(), people.reload()]);
  };
  const toggle = (faceId: string, extend: boolean): void => {
    const next = new Set(extend ? selected : []);
    if (selected.has(faceId)) next.delete(faceId);
    else next.add(faceId);
    setSelected(next);
  };
  return (
    <section aria-labelledby="loose-title">
      <div class="toolbar">
        <h1 id="loose-title">{TITLES[kind]}</h1>
        {faces ? <span class="face-count">{faces.length} faces</span> : null}
      </div>
      <div class="actions" role="toolbar" aria-label="Selected faces">
        <span>{selected.size} selected</span>
        <button type="button" disabled={selected.size === 0} onClick={() => setDialog('move')} aria-keyshortcuts="m">
          Move to a person… (m)
        </button>
        <button type="button" disabled={selected.size !== 1} onClick={() => setDialog('why')} aria-keyshortcuts="w">
          Why? (w)
        </button>
        <span role="status" class="status">
          {status}
        </span>
      </div>
      {error ? (
        <p role="alert">{error}</p>
      ) : !faces ? (
        <p role="status">Loading faces…</p>
      ) : faces.length === 0 ? (
        <p>None.</p>
      ) : (
        <FaceGrid
          faces={faces}
          label={TITLES[kind]}
          selected={selected}
          onToggle={toggle}
          badge={(f) =>
            f.quality?.reasons?.length ? <span class="reasons">{f.quality.reasons.join(', ')}</span> : null
          }
        />
      )}
      {dialog === 'move' ? (
        <PersonPicker
          title={`Move ${selected.size} face(s) to`}
          onClose={() => setDialog(undefined)}
          onPick={(to) => void moveTo(to)}
        />
      ) : null}
      {dialog === 'why' ? <WhyPanel faceId={[...selected][0]!} onClose={() => setDialog(undefined)} /> : null}
    </section>
  );
}
