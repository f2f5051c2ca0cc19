export * from './problem';
export * from './problem.filter';
export * from './contract';
export * from './contract.guard';
export * from './health';
export * from './request-context';
export * from './server-spans';
