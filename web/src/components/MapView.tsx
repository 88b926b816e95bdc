import { useEffect, useState } from 'preact/hooks';
import { usePeople } from '../people.ts';
import { go } from '../route.ts';

/** The embedding map: every face as a dot at its 2-D projection (UMAP of the identity vectors),
 * coloured by person; a click opens the person. Served by hosts that have a projection. */

interface MapPoint {
  readonly id: string;
  readonly x: number;
  readonly y: number;
  readonly personId: string | null;
}

const SIZE = 640;
const hue = (id: string): number => {
  let h = 0;
  for (let i = 0; i < id.length; i++) h = (h * 31 + id.charCodeAt(i)) >>> 0;
  return h % 360;
};

export function MapView({ mapUrl }: { mapUrl: string | undefined }) {
  const { labelOf } = usePeople();
  const [points, setPoints] = useState<MapPoint[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  useEffect(() => {
    if (!mapUrl) return;
    fetch(mapUrl)
      .then(async (r) => {
        if (!r.ok) throw new Error(`HTTP ${r.status}`);
        setPoints(((await r.json()) as { points: MapPoint[] }).points);
      })
      .catch((err: unknown) => setError((err as Error).message));
  }, [mapUrl]);
  if (!mapUrl)
    return (
      <p>
        This host has no face map (run <code>rankface serve</code> on a cluster output folder).
      </p>
    );
  if (error) return <p role="alert">Could not load the map: {error}</p>;
  if (!points) return <p role="status">Loading the map…</p>;
  return (
    <section aria-labelledby="map-title">
      <h1 id="map-title">Face map</h1>
      <p>{points.length} faces; nearby dots have similar identity vectors. Click a dot to open its person.</p>
      <svg class="face-map" viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label={`Map of ${points.length} faces`}>
        {points.map((p) => (
          <circle
            key={p.id}
            data-face-id={p.id}
            cx={4 + p.x * (SIZE - 8)}
            cy={4 + p.y * (SIZE - 8)}
            r={3}
            fill={p.personId ? `hsl(${hue(p.personId)} 70% 45%)` : '#999'}
            onClick={() => p.personId && go({ view: 'person', personId: p.personId })}
          >
            <title>{p.personId ? labelOf(p.personId) : 'unassigned'}</title>
          </circle>
        ))}
      </svg>
    </section>
  );
}
