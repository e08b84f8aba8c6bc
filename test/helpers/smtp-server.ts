import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { freePort } from './ports.js';

export interface ReceivedMail {
  from: string;
  to: string[];
  /** The raw RFC 5322 message as received. */
  raw: string;
  subject: string;
  authUser: string | undefined;
  /** The session was TLS (implicit or after STARTTLS) when the message came. */
  secure: boolean;
}

/** Read one message from smtp-server's onData stream into what the tests look at. */
export function receiveMail(stream: NodeJS.ReadableStream, session: SMTPServerSession): Promise<ReceivedMail> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)$/im.exec(raw)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '';
      const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
      resolve({ from, to: session.envelope.rcptTo.map((r) => r.address), raw, subject, authUser: session.user as string | undefined, secure: session.secure });
    });
  });
}

export interface RunningSmtpServer {
  port: number;
  mails: ReceivedMail[];
  stop(): Promise<void>;
}

/**
 * A real SMTP server (the smtp-server package) on a free loopback port that keeps every message it
 * receives. Plain SMTP (no STARTTLS); with `auth`, only that user and password are accepted.
 */
export async function startSmtpServer(opts: { auth?: { user: string; password: string } } = {}): Promise<RunningSmtpServer> {
  const mails: ReceivedMail[] = [];
  const server = new SMTPServer({
    disabledCommands: opts.auth ? ['STARTTLS'] : ['STARTTLS', 'AUTH'],
    authOptional: !opts.auth,
    allowInsecureAuth: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (opts.auth && auth.username === opts.auth.user && auth.password === opts.auth.password) return cb(null, { user: auth.username });
      return cb(new Error('invalid credentials'));
    },
    onData(stream, session, cb) {
      receiveMail(stream, session).then((m) => (mails.push(m), cb()), cb);
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return { port, mails, stop: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
