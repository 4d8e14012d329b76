/** The sample ButterCMS emulation as msw handlers, for the test suite and the benchmarks. */
import { http } from "msw";
import { BUTTER_API, type EmulatorOptions, emulateButter } from "./butter-emulator.ts";

export { BUTTER_API };

export function butterHandlers(options: EmulatorOptions) {
  return [http.get(`${BUTTER_API}/*`, ({ request }) => emulateButter(request, options))];
}
