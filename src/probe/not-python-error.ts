import { GiltraceError } from '../base/errors.js';

/** The command runs something other than Python (a shell, make, npm): the Pythons it starts must be found otherwise. */
export class NotPythonError extends GiltraceError {}
