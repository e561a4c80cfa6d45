/**
 * A real SMTP server in the test process (smtp-server + mailparser): mail sent by the
 * activities crosses a real SMTP session and is parsed as a receiver would.
 *
 * For the exactly-once tests (docs/notifications.md) it can also be taken down and up
 * (`setDown`), run a hook on each message after it is stored and before it is acknowledged
 * (`onMessage`), and count distinct Message-IDs, as a receiver that collapses duplicates
 * by Message-ID would.
 */
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  messageId: string;
  to: string[];
  subject: string;
  text: string;
}

/**
 * Runs after a message is parsed and stored in `messages`, before the server answers the
 * DATA command: the sender has not yet been told the message was accepted. The answer
 * waits for a returned promise; a throw or rejection answers 451 instead of 250 (the
 * message stays stored, as on a server that crashed after writing it to disk).
 */
export type MessageHook = (mail: ReceivedMail) => void | Promise<void>;

export interface TestSmtpServer {
  url: string;
  port: number;
  /** Every message received, duplicates included, in arrival order. */
  messages: ReceivedMail[];
  /** Resolves when at least `count` messages arrived (polls; rejects after `timeoutMs`). */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /**
   * Down: every new connection is answered `421` and closed, and a message already in
   * a session is refused with `421`, so a sender fails the attempt and retries later.
   */
  setDown(down: boolean): void;
  readonly isDown: boolean;
  /** Connections refused while down. */
  readonly refusedConnections: number;
  onMessage: MessageHook | undefined;
  /** The distinct Message-IDs received, in order of first arrival. */
  distinctMessageIds(): string[];
  /** How many times each Message-ID arrived. */
  messageIdCounts(): Map<string, number>;
  stop(): Promise<void>;
}

const temporaryFailure = (message: string): Error => Object.assign(new Error(message), { responseCode: 421 });

export async function startTestSmtpServer(options: { onMessage?: MessageHook } = {}): Promise<TestSmtpServer> {
  const messages: ReceivedMail[] = [];
  let down = false;
  let refused = 0;
  const control: { onMessage: MessageHook | undefined } = { onMessage: options.onMessage };
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    disableReverseLookup: true,
    logger: false,
    onConnect(_session, callback) {
      if (!down) return callback();
      refused += 1;
      callback(temporaryFailure('Service not available, try again later'));
    },
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then(async (parsed) => {
          if (down) throw temporaryFailure('Service not available, try again later');
          const to = (Array.isArray(parsed.to) ? parsed.to : parsed.to ? [parsed.to] : []).flatMap((a) => a.value.map((v) => v.address ?? ''));
          const mail: ReceivedMail = { messageId: parsed.messageId ?? '', to, subject: parsed.subject ?? '', text: parsed.text ?? '' };
          messages.push(mail);
          if (control.onMessage) {
            try {
              await control.onMessage(mail);
            } catch (error) {
              throw Object.assign(new Error(`hook: ${String(error)}`), { responseCode: 451 });
            }
          }
          callback();
        })
        .catch((error: Error) => callback(error));
    },
  });
  // A client that dies mid-session (a SIGKILLed worker) resets its socket: not a failure.
  server.on('error', () => undefined);
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
  const counts = (): Map<string, number> => {
    const byId = new Map<string, number>();
    for (const m of messages) byId.set(m.messageId, (byId.get(m.messageId) ?? 0) + 1);
    return byId;
  };
  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    async waitForMessages(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${messages.length}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return messages;
    },
    setDown(value) {
      down = value;
    },
    get isDown() {
      return down;
    },
    get refusedConnections() {
      return refused;
    },
    get onMessage() {
      return control.onMessage;
    },
    set onMessage(hook) {
      control.onMessage = hook;
    },
    distinctMessageIds: () => [...counts().keys()],
    messageIdCounts: counts,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
