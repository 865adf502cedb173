import fs from 'node:fs';
import path from 'node:path';
import { InvalidArgumentError, type Command } from 'commander';
import { TopicSafeId } from '../../shared/ids';
import { brokerAcl } from '../../shared/protocol';
import { CliError, runCommand } from './run';

interface AclOptions {
  site: string;
  stations: string[];
  gateways: string[];
  sparkplug?: string | true;
  acceptV1?: boolean;
  out?: string;
}

/** The Sparkplug host id when `--sparkplug` is given without one. */
const DEFAULT_SPARKPLUG_HOST = 'plainview';

function id(what: string) {
  return (value: string) => {
    if (!TopicSafeId.safeParse(value).success)
      throw new InvalidArgumentError(`${what} "${value}" must be 1-64 letters, digits, dots, dashes or underscores`);
    return value;
  };
}

function idList(what: string) {
  return (value: string) => {
    const ids = value.split(',').map((s) => s.trim());
    return ids.map(id(what));
  };
}

/** `plainview broker`: what a site's MQTT broker needs to know about Plainview. */
export function registerBrokerCommands(program: Command): void {
  const broker = program.command('broker').description("the site MQTT broker's accounts and rights (mosquitto)");
  broker
    .command('acl')
    .description(
      'print a mosquitto password file template and ACL file for the site: one account per station, per gateway, PipelineGuard (and a Sparkplug host), each with exactly the topics of its role (docs/protocol.md)',
    )
    .requiredOption('--site <id>', 'the site id in the topics', id('the site id'))
    .requiredOption(
      '--stations <ids>',
      'the station ids, comma-separated (each is its MQTT username)',
      idList('a station id'),
    )
    .requiredOption(
      '--gateways <ids>',
      'the gateway ids, comma-separated (each is its MQTT username)',
      idList('a gateway id'),
    )
    .option(
      '--sparkplug [host_id]',
      `also a Sparkplug B host account (default host id ${DEFAULT_SPARKPLUG_HOST})`,
      id('the Sparkplug host id'),
    )
    .option('--accept-v1', 'also the v1 field topics, while gateways migrate (docs/protocol.md, "Migrating from v1")')
    .option(
      '--out <dir>',
      'write mosquitto.acl and mosquitto.passwd.template into this folder instead of printing them',
    )
    .showHelpAfterError(false)
    .action((opts: AclOptions) => runCommand(async () => aclCommand(opts)));
}

export function aclCommand(opts: AclOptions): number {
  let result;
  try {
    result = brokerAcl({
      site: opts.site,
      stations: opts.stations,
      gateways: opts.gateways,
      sparkplugHost: opts.sparkplug === true ? DEFAULT_SPARKPLUG_HOST : (opts.sparkplug ?? null),
      acceptV1: opts.acceptV1 === true,
    });
  } catch (err) {
    throw new CliError((err as Error).message, 2);
  }
  if (opts.out) {
    fs.mkdirSync(opts.out, { recursive: true });
    const acl = path.join(opts.out, 'mosquitto.acl');
    const passwords = path.join(opts.out, 'mosquitto.passwd.template');
    fs.writeFileSync(acl, result.acl);
    fs.writeFileSync(passwords, result.passwords, { mode: 0o600 });
    process.stdout.write(`wrote ${acl} and ${passwords}\n${result.passwordNotes}`);
    return 0;
  }
  process.stdout.write(
    [
      '# ==== password file template: save the account lines (without these comments) ====',
      result.passwordNotes.trimEnd(),
      result.passwords.trimEnd(),
      '',
      '# ==== ACL file: save from here to the end as the acl_file ====',
      result.acl,
    ].join('\n'),
  );
  return 0;
}
