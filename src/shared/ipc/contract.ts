import { z } from 'zod';
import { AppInfo } from '../app-info';
import { Valve } from '../domain/valve';
import { PointView, SiteView, Trend, TrendRange, ValveDetail } from '../field';
import { Health } from '../health';
import { SystemStatus } from '../system';
import type { ChannelName } from './channels';

export interface ChannelSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  description: string;
}

const NoInput = z.undefined();
/** Ids the renderer sends back are bounded: an id is never a megabyte. */
const Id = z.string().min(1).max(128);

/**
 * The IPC contract, written once. Main registers a handler for each entry and validates
 * input and output against it; the preload exposes one method per entry; the renderer's
 * types come from it. Later issues add channels here and nowhere else.
 */
export const contract = {
  'health.get': {
    input: NoInput,
    output: Health,
    description: 'Health of the station: database, MQTT link and event bus.',
  },
  'app.info': {
    input: NoInput,
    output: AppInfo,
    description: 'Version, site, station and runtime facts for the frame and the System view.',
  },
  'site.get': {
    input: NoInput,
    output: SiteView.nullable(),
    description: 'The site description (name, DEMO flag, segments in pipeline order); null until known.',
  },
  'valves.list': {
    input: NoInput,
    output: z.array(Valve),
    description: 'Every valve of the site with its latest state and quality.',
  },
  'valves.get': {
    input: z.object({ id: Id }),
    output: ValveDetail.nullable(),
    description: 'One valve and the points that belong to it or to its segment; null if unknown.',
  },
  'points.list': {
    input: NoInput,
    output: z.array(PointView),
    description: 'Every telemetry point with its latest value and quality.',
  },
  'trends.get': {
    input: z.object({ pointId: Id, range: TrendRange }),
    output: Trend,
    description: 'A trend of one point from the store: raw samples for 1 h, one-minute rollups for 24 h and 7 d.',
  },
  'system.status': {
    input: NoInput,
    output: SystemStatus,
    description: 'Health, link state and backoff, ingest counters, database size and last backup, version.',
  },
} satisfies Record<ChannelName, ChannelSpec>;

export type Contract = typeof contract;
export type ChannelInput<C extends ChannelName> = z.input<Contract[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Contract[C]['output']>;
