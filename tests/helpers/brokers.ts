import { afterAll } from 'vitest';
import { disposeAllBrokers } from './broker-procs';

export * from './broker-procs';

// Every broker a vitest file starts is gone when the file is done.
afterAll(disposeAllBrokers);
