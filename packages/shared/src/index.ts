export * from './events';
export * from './event-id';
export * from './partial-json/index';
export * from './schemas/plan';
