import { useEffect, useState } from 'react';
import type { Incident } from '../../../shared/incidents';
import { refusalText, station } from '../../client';
import { useIncidents } from '../../stores/incidents';

/** An incident action's answer to the store; a refusal is thrown on. */
export async function applyIncident(call: Promise<Incident>): Promise<Incident> {
  const incident = await call;
  useIncidents.getState().apply([incident]);
  return incident;
}

/** Runs an incident action: the incident to the store, or the refusal's words. */
export async function runAction(call: () => Promise<Incident>): Promise<{ incident: Incident } | { refusal: string }> {
  try {
    return { incident: await applyIncident(call()) };
  } catch (err) {
    return { refusal: refusalText(err) };
  }
}

/** Loads the incident list once on mount (pushed changes keep it current). */
export function useIncidentList(): string | null {
  const load = useIncidents((s) => s.load);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let stopped = false;
    station.incidents
      .list({})
      .then((incidents) => {
        if (stopped) return;
        load(incidents);
        setError(null);
      })
      .catch((err: unknown) => !stopped && setError(refusalText(err)));
    return () => {
      stopped = true;
    };
  }, [load]);
  return error;
}
