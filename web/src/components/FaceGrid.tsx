import type { ComponentChildren } from 'preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import type { Face } from '../api.ts';
import { markFirstScreenShown } from '../first-screen.ts';
import { gridKeyStep } from '../keys.ts';
import { FaceCrop } from './FaceCrop.tsx';

/** A virtualised grid of face tiles: only the rows on screen (plus a margin) are in the DOM, so a
 * person with 10,000 faces renders as fast as one with 50. Window scrolling (no inner scrollbar);
 * arrow keys move a roving focus that scrolls its row into view. */

export const TILE = 120;
const OVERSCAN_ROWS = 3;

interface Props {
  readonly faces: readonly Face[];
  /** Faces in all (default: `faces.length`): when more than are loaded, the grid keeps room for them
   * and asks for more (`onNeedMore`) once the rows on screen reach the end of what is loaded. */
  readonly total?: number;
  readonly onNeedMore?: (() => void) | undefined;
  readonly label: string;
  readonly selected: ReadonlySet<string>;
  readonly onToggle: (faceId: string, extend: boolean) => void;
  readonly onKey?: (e: KeyboardEvent, face: Face) => void;
  readonly badge?: (face: Face) => ComponentChildren;
}

function useViewport(ref: { current: HTMLElement | null }): { top: number; height: number; width: number } {
  const [vp, setVp] = useState({ top: 0, height: innerHeight, width: 800 });
  useLayoutEffect(() => {
    const measure = (): void => {
      const el = ref.current;
      if (!el) return;
      const rect = el.getBoundingClientRect();
      setVp((old) =>
        old.top === rect.top && old.height === innerHeight && old.width === el.clientWidth
          ? old
          : { top: rect.top, height: innerHeight, width: el.clientWidth },
      );
    };
    measure();
    addEventListener('scroll', measure, { passive: true });
    addEventListener('resize', measure);
    return () => {
      removeEventListener('scroll', measure);
      removeEventListener('resize', measure);
    };
  }, [ref]);
  return vp;
}

/** Safari has no requestIdleCallback: a short timeout there. */
const whenIdle = (work: () => void): void => {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(work, { timeout: 300 });
  else setTimeout(work, 50);
};

/** Whether the crops of the rows on screen have all loaded (or failed). Until then the overscan rows
 * get no <img>: their crops would share the 6 HTTP/1.1 connections with the ones the user sees. */
function useScreenShown(ref: { current: HTMLElement | null }): { shown: boolean; check: () => void } {
  const [shown, setShown] = useState(false);
  const done = useRef(false);
  const check = (): void => {
    const el = ref.current;
    if (done.current || !el) return;
    if (!Array.from(el.querySelectorAll('img')).every((img) => img.complete)) return;
    done.current = true;
    markFirstScreenShown();
    // The overscan crops once the browser is idle: the frame that shows these crops comes first.
    whenIdle(() => setShown(true));
  };
  // After every render: crops from the cache are complete at once, and a grid without crops on
  // screen is shown as soon as it is rendered.
  useEffect(check);
  return { shown, check };
}

export function FaceGrid({ faces, total = faces.length, onNeedMore, label, selected, onToggle, onKey, badge }: Props) {
  const ref = useRef<HTMLDivElement>(null);
  const vp = useViewport(ref);
  const screen = useScreenShown(ref);
  const [active, setActive] = useState(0);
  const focusPending = useRef(false);
  const cols = Math.max(1, Math.floor(vp.width / TILE));
  const rows = Math.ceil(Math.max(total, faces.length) / cols);
  const firstRow = Math.max(0, Math.floor(-vp.top / TILE) - OVERSCAN_ROWS);
  const lastRow = Math.min(rows - 1, Math.ceil((vp.height - vp.top) / TILE) + OVERSCAN_ROWS);
  const activeIndex = Math.min(active, Math.max(0, faces.length - 1));
  const needsMore = onNeedMore !== undefined && (lastRow + 1) * cols > faces.length;
  useEffect(() => {
    if (needsMore) onNeedMore();
  });

  useEffect(() => {
    if (!focusPending.current) return;
    focusPending.current = false;
    ref.current?.querySelector<HTMLElement>(`[data-index="${activeIndex}"]`)?.focus({ preventScroll: true });
  });

  const moveTo = (index: number): void => {
    const row = Math.floor(index / cols);
    const rowTop = (ref.current?.getBoundingClientRect().top ?? 0) + row * TILE;
    if (rowTop < 0) scrollBy(0, rowTop - 8);
    else if (rowTop + TILE > innerHeight) scrollBy(0, rowTop + TILE - innerHeight + 8);
    focusPending.current = true;
    setActive(index);
  };

  const onKeyDown = (e: KeyboardEvent): void => {
    const face = faces[activeIndex];
    if (!face) return;
    const next = gridKeyStep(e.key, activeIndex, cols, faces.length, Math.floor(innerHeight / TILE));
    if (next !== undefined) {
      e.preventDefault();
      moveTo(next);
    } else if (e.key === ' ' || e.key === 'Enter') {
      e.preventDefault();
      onToggle(face.faceId, e.shiftKey);
    } else onKey?.(e, face);
  };

  // Crops of the rows on screen first; the overscan rows' crops wait (6 connections over HTTP/1.1).
  const isOnScreen = (row: number): boolean => vp.top + row * TILE < vp.height && vp.top + (row + 1) * TILE > 0;
  const crop = (f: Face, row: number) => {
    if (!f.cropUrl) return <span class="no-crop">no crop</span>;
    const onScreen = isOnScreen(row);
    if (!onScreen && !screen.shown) return <span class="no-crop" />;
    return (
      <FaceCrop
        url={f.cropUrl}
        size={112}
        fetchpriority={onScreen ? 'high' : 'low'}
        onLoad={screen.check}
        onError={screen.check}
      />
    );
  };
  const tiles = [];
  for (let i = firstRow * cols; i <= Math.min(faces.length - 1, (lastRow + 1) * cols - 1); i++) {
    const f = faces[i]!;
    tiles.push(
      <div
        key={f.faceId}
        role="option"
        class="face-tile"
        data-face-id={f.faceId}
        data-index={i}
        aria-selected={selected.has(f.faceId)}
        aria-label={`Face ${i + 1} of ${total}`}
        tabIndex={i === activeIndex ? 0 : -1}
        style={{ transform: `translate(${(i % cols) * TILE}px, ${Math.floor(i / cols) * TILE}px)` }}
        onClick={(e) => {
          setActive(i);
          onToggle(f.faceId, e.shiftKey || e.ctrlKey || e.metaKey);
        }}
      >
        {crop(f, Math.floor(i / cols))}
        {badge?.(f)}
      </div>,
    );
  }
  return (
    <div
      ref={ref}
      class="face-grid"
      role="listbox"
      aria-label={label}
      aria-multiselectable="true"
      style={{ height: `${rows * TILE}px` }}
      onKeyDown={onKeyDown}
    >
      {tiles}
    </div>
  );
}
