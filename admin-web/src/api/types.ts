// Short names for the generated schema's types; pages import from here, never from generated/ directly.
import type { components } from "./generated/schema";

type S = components["schemas"];

export type AdminRole = S["AdminRole"];
export type Me = S["MeRead"];
export type AdminAccount = S["AdminRead"];
export type AdminCreate = S["AdminCreate"];
export type AdminUpdate = S["AdminUpdate"];
export type TokenPair = S["TokenPair"];

export type Location = S["LocationRead"];
export type LocationCreate = S["LocationCreate"];
export type LocationUpdate = S["LocationUpdate"];

export type Tariff = S["TariffRead"];
export type TariffCreate = S["TariffCreate"];
export type TariffUpdate = S["TariffUpdate"];

export type PanelType = S["PanelType"];
export type ServerHealth = S["ServerHealth"];
export type Server = S["ServerRead"];
export type ServerCreate = S["ServerCreate"];
export type ServerUpdate = S["ServerUpdate"];

export type AuditEntry = S["AuditEntry"];

/** A page of any list endpoint. */
export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  size: number;
  pages: number;
}
