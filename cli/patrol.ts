import { Command } from 'commander';
import { PATROL_VERSION } from '../shared/version.js';
import { registerDeployCommand } from '../deploy/deploy-command.js';
import { registerReportCommand } from '../collector/reports/report-command.js';
import { registerTicketCommands } from '../collector/tickets/cli/tickets-command.js';

/**
 * `patrol`: the engineer's command line (tickets, reports, deploy). It composes the commands of
 * several parts, which is why it lives outside collector/ and deploy/.
 */
const program = new Command('patrol').description('Patrol: tickets, inspection reports and agent deployment').version(PATROL_VERSION);
registerDeployCommand(program);
registerReportCommand(program);
registerTicketCommands(program);

await program.parseAsync(process.argv);
