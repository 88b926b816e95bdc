import { useEffect, useState } from 'preact/hooks';

/** Hash routes (`#/people/<id>`): a static host (S3 + CloudFront, or `rankface serve`) needs no
 * rewrite rules, and reloading a page keeps the view. */
export type Route =
  | { readonly view: 'people' }
  | { readonly view: 'person'; readonly personId: string }
  | { readonly view: 'loose'; readonly kind: 'unassigned' | 'gated' }
  | { readonly view: 'map' };

export function parseRoute(hash: string): Route {
  const parts = hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  if (parts[0] === 'people' && parts[1]) return { view: 'person', personId: parts[1] };
  if (parts[0] === 'unassigned') return { view: 'loose', kind: 'unassigned' };
  if (parts[0] === 'low-quality') return { view: 'loose', kind: 'gated' };
  if (parts[0] === 'map') return { view: 'map' };
  return { view: 'people' };
}

export const hrefOf = (route: Route): string => {
  switch (route.view) {
    case 'person':
      return `#/people/${encodeURIComponent(route.personId)}`;
    case 'loose':
      return route.kind === 'unassigned' ? '#/unassigned' : '#/low-quality';
    case 'map':
      return '#/map';
    default:
      return '#/';
  }
};

export const go = (route: Route): void => {
  location.hash = hrefOf(route);
};

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const onChange = (): void => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', onChange);
    return () => removeEventListener('hashchange', onChange);
  }, []);
  return route;
}
