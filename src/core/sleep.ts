/** Waits `ms` milliseconds (a timer: fake timers and the sim's virtual clock move it). */
export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
