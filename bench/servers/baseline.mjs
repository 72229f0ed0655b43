// The ceiling: an empty Fastify POST route in its own process, as fast as this machine serves JSON.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/', async () => ({ ok: true }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.send?.('ready');
