/** A CSS module: its class names, as written and in camelCase (vite.config.ts). */
declare module '*.module.css' {
  const classes: Readonly<Record<string, string>>;
  export default classes;
}
