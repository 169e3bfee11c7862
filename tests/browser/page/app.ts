// The browser page of the browser test: calls UserService and OrderService over gRPC-Web (connect-web's gRPC-Web
// transport, binary, fetch streaming) and over the JSON API, and renders each answer into an element with the time it
// arrived (ms since navigation start, in data-ms). Service base URLs come from the query: ?user=…&order=…
import { createClient, ConnectError, Code } from "@connectrpc/connect";
import { createGrpcWebTransport } from "@connectrpc/connect-web";
import { UserService } from "./gen/grpcmesh/user/v1/user_service_pb";
import { OrderService, OrderEventTypeSchema } from "./gen/grpcmesh/order/v1/order_service_pb";
import { BadRequestSchema } from "./gen/google/rpc/error_details_pb";

const query = new URLSearchParams(location.search);
const userUrl = query.get("user")!;
const orderUrl = query.get("order")!;
const timeoutMs = 30_000;

const users = createClient(UserService, createGrpcWebTransport({ baseUrl: userUrl, defaultTimeoutMs: timeoutMs }));
const orders = createClient(OrderService, createGrpcWebTransport({ baseUrl: orderUrl }));

function show(id: string, text: string, state = "ok"): void {
  const element = document.getElementById(id)!;
  element.textContent = text;
  element.dataset.state = state;
  element.dataset.ms = performance.now().toFixed(1);
}

function describe(error: unknown): string {
  if (error instanceof ConnectError) {
    const fields = error.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations.map((v) => `${v.field}: ${v.description}`));
    return `${Code[error.code]} ${fields.join("; ") || error.rawMessage}`;
  }
  return String(error);
}

async function run(): Promise<void> {
  const email = `browser-${crypto.randomUUID()}@example.com`;
  const created = await users.createUser({
    email,
    displayName: "Browser",
    creditLimit: { currencyCode: "USD", units: 500n },
  });
  const id = created.user!.id;
  show("created", id);

  const viaGrpcWeb = await users.getUser({ userId: id });
  show("grpc-web-user", `${viaGrpcWeb.user!.email} ${viaGrpcWeb.user!.displayName}`);

  const json = await fetch(`${userUrl}/v1/users/${encodeURIComponent(id)}`);
  const body = await json.json();
  show("json-user", `${json.status} ${body.user.email} ${body.user.displayName}`);

  try {
    await users.createUser({ email: "not-an-email", displayName: "Bad", creditLimit: { currencyCode: "USD", units: 5n } });
    show("grpc-web-invalid", "accepted", "unexpected");
  } catch (error) {
    show("grpc-web-invalid", describe(error), "error");
  }

  const invalid = await fetch(`${userUrl}/v1/users`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: "not-an-email", displayName: "Bad", creditLimit: { currencyCode: "USD", units: "5" } }),
  });
  const status = await invalid.json();
  const violations = (status.details ?? [])
    .filter((d: { "@type": string }) => d["@type"] === "type.googleapis.com/google.rpc.BadRequest")
    .flatMap((d: { fieldViolations: { field: string; description: string }[] }) => d.fieldViolations)
    .map((v: { field: string; description: string }) => `${v.field}: ${v.description}`);
  show("json-invalid", `${invalid.status} ${Code[status.code]} ${violations.join("; ")}`, "error");

  // The stream stays open; the test places an order for this user once the service has subscribed the call.
  show("watch", `watching ${id}`, "open");
  const list = document.getElementById("events")!;
  try {
    for await (const event of orders.watchOrders({ userId: id })) {
      const item = document.createElement("li");
      item.textContent = `${event.sequence} ${OrderEventTypeSchema.value[event.type].name} ${event.order!.id}`;
      item.dataset.ms = performance.now().toFixed(1);
      list.appendChild(item);
    }
    show("watch", "ended", "ended");
  } catch (error) {
    show("watch", describe(error), "error");
  }
}

run().catch((error) => show("created", describe(error), "error"));
