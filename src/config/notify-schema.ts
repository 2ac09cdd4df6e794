import { z } from 'zod';

/** warden.yaml `notify:` — receivers, routing tree, inhibition and escalation (issue 5). */
export const notifyConfigSchema = z.strictObject({});
export type NotifyConfig = z.output<typeof notifyConfigSchema>;
