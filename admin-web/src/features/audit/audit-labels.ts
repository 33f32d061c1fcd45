// Human names for audit actions and entity types; unknown ones (from newer features) show their code.
type Translate = (key: string) => string;
type HasKey = (key: string) => boolean;

export function actionLabel(action: string, t: Translate, te: HasKey): string {
  const key = `audit.actions.${action.replace(".", "_")}`;
  return te(key) ? t(key) : action;
}

export function entityLabel(entityType: string, t: Translate, te: HasKey): string {
  const key = `audit.entities.${entityType}`;
  return te(key) ? t(key) : entityType;
}

export function actionTone(action: string): "danger" | "ok" | "accent" {
  if (action.endsWith(".delete")) return "danger";
  if (action.endsWith(".create")) return "ok";
  return "accent";
}
