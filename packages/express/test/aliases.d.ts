// express4 is Express 4 installed under an alias; its API is typed as Express 5's, which the
// conformance routes use identically.
declare module 'express4' {
  import express from 'express';
  export default express;
}
