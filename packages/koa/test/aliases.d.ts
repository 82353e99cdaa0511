// koa2 is Koa 2 installed under an alias; its API is typed as Koa 3's, which the conformance
// routes use identically.
declare module 'koa2' {
  import Koa from 'koa';
  export default Koa;
}
