// Worker entry: loads the TypeScript phone through tsx's scoped API (the test runner's transform does
// not reach worker threads).
import { tsImport } from "tsx/esm/api";

const { runPhone } = await tsImport("./phone.ts", import.meta.url);
runPhone();
