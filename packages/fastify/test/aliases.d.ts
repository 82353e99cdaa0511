// fastify4 is Fastify 4 installed under an alias; its API is typed as Fastify 5's, which these
// tests use identically.
declare module 'fastify4' {
  import fastify from 'fastify';
  export default fastify;
}
