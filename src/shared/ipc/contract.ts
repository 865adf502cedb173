import { z } from 'zod';
import { Health } from '../health';
import { AppInfo } from '../app-info';
import type { ChannelName } from './channels';

export interface ChannelSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  input: I;
  output: O;
  description: string;
}

const NoInput = z.undefined();

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
} satisfies Record<ChannelName, ChannelSpec>;

export type Contract = typeof contract;
export type ChannelInput<C extends ChannelName> = z.input<Contract[C]['input']>;
export type ChannelOutput<C extends ChannelName> = z.output<Contract[C]['output']>;
