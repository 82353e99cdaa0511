import type { Command } from './command.js';
import { doctor } from './doctor.js';
import { drill } from './drill.js';

/** Every `lameduck` subcommand, in the order `lameduck --help` lists them. */
export const commands: readonly Command[] = [doctor, drill];
