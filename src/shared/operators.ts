import { z } from 'zod';

export const OperatorRole = z.enum(['viewer', 'operator', 'supervisor']);
export type OperatorRole = z.infer<typeof OperatorRole>;

export const OperatorSession = z.object({
  /** Null when sign-on is required and nobody is signed on (the console is locked). */
  operator: z.string().nullable(),
  displayName: z.string().nullable(),
  role: OperatorRole.nullable(),
  /** How the operator is known: their own station account, or the OS account. */
  via: z.enum(['sign_on', 'os_account']).nullable(),
  signOnRequired: z.boolean(),
  /** When the console locks itself for idleness (sign-on only). */
  idleLockAt: z.string().nullable(),
});
export type OperatorSession = z.infer<typeof OperatorSession>;
