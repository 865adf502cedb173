/** The link state lives in the shared contract, which the console reads. */
export type { LinkState, LinkStatus } from '../../shared/field';
