import { z } from 'zod';

export const OperatorRole = z.enum(['viewer', 'operator', 'supervisor']);
export type OperatorRole = z.infer<typeof OperatorRole>;
