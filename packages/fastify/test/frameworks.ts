import fastify5 from 'fastify';
import fastify4 from 'fastify4';

/** Both supported majors: every test runs against each. */
export const FASTIFY_VERSIONS = [
  ['fastify 5', fastify5],
  ['fastify 4', fastify4],
] as const;
