import { describe, expect, it } from "vitest";
import { i18n } from "@/locales";
import { ApiError, errorMessage, fieldErrors, issuePath, toApiError } from "./errors";

const { t, te } = i18n.global;
const tr = (key: string, params?: Record<string, unknown>) => t(key, params ?? {});

describe("API errors", () => {
  it("keeps the contract's code and detail", () => {
    const error = toApiError(409, { error: "LocationNameTaken", detail: "A location with this name already exists" });
    expect(error).toMatchObject({ status: 409, code: "LocationNameTaken", message: "A location with this name already exists" });
    expect(error.hasFieldIssues).toBe(false);
  });

  it("spreads a 422 list over field paths", () => {
    const error = toApiError(422, {
      error: "ValidationError",
      detail: [
        { type: "string_too_short", loc: ["body", "name"], msg: "String should have at least 1 character", ctx: { min_length: "1" } },
        { type: "greater_than", loc: ["body", "settings", "inbound_ids", 0], msg: "Input should be greater than 0", ctx: { gt: "0" } },
        { type: "value_error", loc: ["body"], msg: "Value error, give username and password, or an api_token (3x-ui v3+)" },
        { type: "int_parsing", loc: ["query", "page"], msg: "Input should be a valid integer" },
      ],
    });
    expect(Object.keys(error.issues)).toEqual(["name", "settings.inbound_ids.0", "", "query.page"]);
    expect(fieldErrors(error, tr, te)).toEqual({
      name: "Обязательное поле",
      "settings.inbound_ids.0": "Должно быть больше 0",
      "": "give username and password, or an api_token (3x-ui v3+)",
      "query.page": "Введите целое число",
    });
  });

  it("survives bodies that are not the contract", () => {
    expect(toApiError(502, "<html>Bad gateway</html>")).toMatchObject({ code: "HttpError", message: "HTTP 502" });
    expect(toApiError(404, { detail: "Not Found" })).toMatchObject({ code: "HttpError", message: "Not Found" });
    expect(toApiError(400, null).code).toBe("HttpError");
  });

  it("says known codes in the admin's language and falls back to the API's text", () => {
    expect(errorMessage(new ApiError(409, "ServerNameTaken", "A server with this name already exists"), tr, te)).toBe(
      "Сервер с таким именем уже есть.",
    );
    expect(errorMessage(new ApiError(400, "SomethingNew", "Explained by the API"), tr, te)).toBe("Explained by the API");
    expect(errorMessage(new ApiError(500, "InternalError", "Internal server error"), tr, te)).toBe(
      "Ошибка на сервере. Попробуйте ещё раз чуть позже.",
    );
    expect(errorMessage(new Error("boom"), tr, te)).toBe("Что-то пошло не так. Обновите страницу.");
  });

  it("reads the body part of a location", () => {
    expect(issuePath(["body", "settings", "proxies", "vless"])).toBe("settings.proxies.vless");
    expect(issuePath(["path", "server_id"])).toBe("path.server_id");
  });
});
