import { createContext } from 'preact';
import { useCallback, useContext, useEffect, useMemo, useState } from 'preact/hooks';
import type { Api, Person } from './api.ts';

/** The people list, shared by every view: the grid, the pickers (merge, move) and the labels.
 * Unnamed people are "Person N" by rank (most faces first, then id), as in people.json. */

export interface PeopleState {
  readonly people: readonly Person[] | undefined;
  readonly error: string | undefined;
  readonly labelOf: (personId: string) => string;
  readonly reload: () => Promise<void>;
}

const byRank = (a: Person, b: Person): number =>
  b.faceCount - a.faceCount || (a.personId < b.personId ? -1 : a.personId > b.personId ? 1 : 0);

export function usePeopleState(api: Api): PeopleState {
  const [people, setPeople] = useState<Person[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const reload = useCallback(async () => {
    try {
      const list = (await api.people(true)).people;
      setPeople([...list].sort(byRank));
      setError(undefined);
    } catch (err) {
      setError((err as Error).message);
    }
  }, [api]);
  useEffect(() => void reload(), [reload]);
  const labelOf = useMemo(() => {
    const labels = new Map((people ?? []).map((p, i) => [p.personId, p.name ?? `Person ${i + 1}`]));
    return (id: string) => labels.get(id) ?? 'Unknown person';
  }, [people]);
  return { people, error, labelOf, reload };
}

export const PeopleContext = createContext<PeopleState>({
  people: undefined,
  error: undefined,
  labelOf: () => '',
  reload: async () => undefined,
});
export const usePeople = (): PeopleState => useContext(PeopleContext);

export const ApiContext = createContext<Api | undefined>(undefined);
export function useApi(): Api {
  const api = useContext(ApiContext);
  if (!api) throw new Error('no API in context');
  return api;
}
