// An SMSC built on the independent npm `smpp` package, scripted per test, to run our ESME client against.
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import smpp from 'smpp';

/** One PDU as the package decodes it: its fields by their spec names. */
// biome-ignore lint/suspicious/noExplicitAny: the package is untyped
export type PackagePdu = Record<string, any>;
// biome-ignore lint/suspicious/noExplicitAny: the package is untyped
export type PackageSession = any;

export interface PeerSmsc {
  readonly port: number;
  readonly url: string;
  readonly sessions: PackageSession[];
  /** Every PDU read from our client, in order, with the session (connection number) it came on. */
  readonly log: { readonly connection: number; readonly pdu: PackagePdu }[];
  close(): Promise<void>;
}

export interface PeerHandlers {
  /** Answers a bind; the default accepts it. */
  onBind?(pdu: PackagePdu, session: PackageSession, connection: number): void;
  /** Answers a submit_sm; the default accepts it with an id of its own. */
  onSubmit?(pdu: PackagePdu, session: PackageSession, connection: number): void;
  onOther?(pdu: PackagePdu, session: PackageSession, connection: number): void;
}

let nextId = 1;
export function acceptSubmit(pdu: PackagePdu, session: PackageSession, extra: PackagePdu = {}): string {
  const messageId = `pkg-${nextId++}`;
  session.send(pdu.response({ message_id: messageId, ...extra }));
  return messageId;
}

export async function startPeerSmsc(handlers: PeerHandlers = {}): Promise<PeerSmsc> {
  const sessions: PackageSession[] = [];
  const log: { connection: number; pdu: PackagePdu }[] = [];
  const server = smpp.createServer((session: PackageSession) => {
    const connection = sessions.length;
    sessions.push(session);
    session.on('error', () => {
      // A client cutting the connection is a normal event for an SMSC.
    });
    session.on('pdu', (pdu: PackagePdu) => {
      log.push({ connection, pdu });
      if (pdu.command === 'bind_transceiver') {
        if (handlers.onBind) handlers.onBind(pdu, session, connection);
        else session.send(pdu.response({ system_id: 'pkg-smsc' }));
      } else if (pdu.command === 'submit_sm') {
        if (handlers.onSubmit) handlers.onSubmit(pdu, session, connection);
        else acceptSubmit(pdu, session);
      } else if (pdu.command === 'enquire_link') {
        session.send(pdu.response());
      } else if (pdu.command === 'unbind') {
        session.send(pdu.response());
        session.close();
      } else {
        handlers.onOther?.(pdu, session, connection);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `smpp://esme:secret@127.0.0.1:${port}`,
    sessions,
    log,
    async close() {
      for (const session of sessions) session.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
