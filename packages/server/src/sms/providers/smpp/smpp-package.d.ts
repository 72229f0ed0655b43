/** The parts of the `smpp` package (0.5, plain JavaScript) that Pocketproof and its tests use. */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer } from 'node:net';

  namespace smpp {
    interface PDU {
      command: string;
      command_status: number;
      sequence_number: number;
      // biome-ignore lint/suspicious/noExplicitAny: PDU fields depend on the command.
      [field: string]: any;
      isResponse(): boolean;
      response(options?: Record<string, unknown>): PDU;
    }

    type Callback = (pdu: PDU) => void;

    interface Session extends EventEmitter {
      send(pdu: PDU, responseCallback?: Callback): boolean;
      close(callback?: () => void): void;
      destroy(callback?: () => void): void;
      pause(): void;
      resume(): void;
      bind_transceiver(options: Record<string, unknown>, callback?: Callback): boolean;
      submit_sm(options: Record<string, unknown>, callback?: Callback): boolean;
      deliver_sm(options: Record<string, unknown>, callback?: Callback): boolean;
      unbind(callback?: Callback): boolean;
      enquire_link(callback?: Callback): boolean;
    }

    interface Server extends NetServer {
      sessions: Session[];
    }

    interface Encoding {
      match(text: string): boolean;
      encode(text: string): Buffer;
    }

    function connect(options: { url: string; auto_enquire_link_period?: number }, listener?: () => void): Session;
    function createServer(listener: (session: Session) => void): Server;
    const encodings: { ASCII: Encoding; LATIN1: Encoding; UCS2: Encoding };
  }

  export = smpp;
}
