import { apiRoute } from "@/lib/api/handler";
import { openApiDocument } from "@/lib/api/openapi";

/** The API description is public: it holds no data, and clients need it before they have a token. */
export const GET = apiRoute({ action: "public" }, async () => openApiDocument());
