// What one message between two processes costs this machine in CPU, at a fixed rate: the floor
// under every per-request figure of the other benchmarks (a single `track` crosses five processes).
//  - echo: a small message to a child process over loopback TCP and back (both processes' CPU);
//  - postgres: --trips parameterised statements in a row on one connection (client and
//    backend CPU), over TCP and, with --socket-dir, over PostgreSQL's Unix socket.
// Medians of --runs runs of --seconds each, at each of --rates steps per second.
//   node dist/tools/bench/machine/round-trips.js [--rates 300,1000] [--trips 4] [--runs 3] [--seconds 5]
//     [--socket-dir /var/tmp/sextant-postgres-...]
// Needs SEXTANT_DATABASE_ADMIN_URL.
import { fork } from 'node:child_process';
import { connect, createServer, type Socket } from 'node:net';
import { parseArgs } from 'node:util';
import { Client, type ClientConfig } from 'pg';
import { processCpu } from '../process-cpu';
import { median } from '../stats';

const { values } = parseArgs({
  options: {
    rates: { type: 'string', default: '300,1000' },
    trips: { type: 'string', default: '4' },
    runs: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    'socket-dir': { type: 'string' },
    'echo-server': { type: 'boolean', default: false },
  },
});

/** Runs `step` at `rate` per second for `seconds`; returns how many steps ran. */
async function atRate(rate: number, seconds: number, step: () => Promise<void>): Promise<number> {
  const started = performance.now();
  let done = 0;
  while (performance.now() - started < seconds * 1000) {
    await step();
    done++;
    const wait = started + (done * 1000) / rate - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  }
  return done;
}

/** Microseconds of CPU per step, of this process and of `peer`. */
async function measure(peer: number, rate: number, seconds: number, step: () => Promise<void>) {
  const peerBefore = processCpu(peer).seconds;
  const ownBefore = process.cpuUsage();
  const steps = await atRate(rate, seconds, step);
  const own = process.cpuUsage(ownBefore);
  return {
    clientUs: (own.user + own.system) / steps,
    peerUs: ((processCpu(peer).seconds - peerBefore) * 1e6) / steps,
  };
}

async function echoPair(): Promise<{ socket: Socket; pid: number; close: () => void }> {
  const child = fork(__filename, ['--echo-server']);
  const port = await new Promise<number>((resolve) => child.once('message', (m) => resolve(Number(m))));
  const socket = await new Promise<Socket>((resolve) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
  });
  socket.setNoDelay(true);
  return { socket, pid: child.pid!, close: () => (socket.destroy(), child.kill()) };
}

async function postgresClient(config: ClientConfig): Promise<{ client: Client; pid: number }> {
  const client = new Client(config);
  await client.connect();
  const { rows } = await client.query<{ pid: number }>('select pg_backend_pid() as pid');
  return { client, pid: rows[0].pid };
}

async function main() {
  const rates = values.rates.split(',').map(Number);
  const trips = Number(values.trips);
  const runs = Number(values.runs);
  const seconds = Number(values.seconds);
  const adminUrl = process.env.SEXTANT_DATABASE_ADMIN_URL;
  if (!adminUrl) throw new Error('set SEXTANT_DATABASE_ADMIN_URL');
  const url = new URL(adminUrl);
  const transports: [string, ClientConfig][] = [['postgres tcp', { connectionString: adminUrl }]];
  if (values['socket-dir'])
    transports.push([
      'postgres unix socket',
      {
        host: values['socket-dir'],
        port: Number(url.port),
        user: decodeURIComponent(url.username),
        password: decodeURIComponent(url.password),
        database: url.pathname.slice(1),
      },
    ]);

  const rows: Record<string, string | number>[] = [];
  const record = (
    what: string,
    rate: number,
    messagesPerStep: number,
    samples: { clientUs: number; peerUs: number }[],
  ) =>
    rows.push({
      what,
      rate,
      'client µs/step': Math.round(median(samples.map((s) => s.clientUs))),
      'peer µs/step': Math.round(median(samples.map((s) => s.peerUs))),
      'total µs/message': Math.round(median(samples.map((s) => s.clientUs + s.peerUs)) / messagesPerStep),
    });
  for (const rate of rates) {
    const echo = await echoPair();
    const samples = [];
    for (let run = 0; run < runs; run++)
      samples.push(
        await measure(echo.pid, rate, seconds, async () => {
          const answered = new Promise((resolve) => echo.socket.once('data', resolve));
          echo.socket.write('x'.repeat(100));
          await answered;
        }),
      );
    echo.close();
    record('echo over tcp', rate, 1, samples);
    for (const [what, config] of transports) {
      const { client, pid } = await postgresClient(config);
      const pgSamples = [];
      for (let run = 0; run < runs; run++)
        pgSamples.push(
          await measure(pid, rate, seconds, async () => {
            for (let trip = 0; trip < trips; trip++) await client.query('select $1::int', [trip]);
          }),
        );
      await client.end();
      record(`${what}, ${trips} statements`, rate, trips, pgSamples);
    }
  }
  console.table(rows);
}

if (values['echo-server']) {
  const server = createServer((socket) => {
    socket.setNoDelay(true);
    socket.on('data', (data) => socket.write(data));
  });
  server.listen(0, '127.0.0.1', () => {
    const address = server.address();
    process.send!(typeof address === 'object' && address ? address.port : 0);
  });
  process.on('disconnect', () => process.exit(0));
} else {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
