using System.Text;
using System.Text.Json;
using Google.Api;
using Google.Protobuf.Reflection;
using Microsoft.AspNetCore.Grpc.JsonTranscoding;
using Microsoft.AspNetCore.Routing;

namespace GrpcMesh.ServiceDefaults.Edge;

/// <summary>
/// Writes the OpenAPI 3.0 document of the JSON API from the protobuf descriptors of the transcoded methods and their
/// <c>google.api.http</c> rules: one operation per route, path parameters from the template, query parameters for the
/// request's scalar fields when the rule has no <c>body: "*"</c>, schemas in proto3 JSON form (lowerCamelCase names,
/// 64-bit integers and well-known types as strings, enums by name) and google.rpc.Status for every error. Deterministic
/// (sorted), so the committed copy can be compared with what a service serves.
/// </summary>
public static class OpenApiDocument
{
    private const string StatusSchema = "google.rpc.Status";

    public static string Write(EndpointDataSource endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var routes = endpoints.Endpoints
            .Select(e => e.Metadata.GetMetadata<GrpcJsonTranscodingMetadata>())
            .OfType<GrpcJsonTranscodingMetadata>()
            .Select(m => new Route(m.MethodDescriptor, m.HttpRule))
            .DistinctBy(r => (r.Verb, r.Path))
            .OrderBy(r => r.Path, StringComparer.Ordinal)
            .ThenBy(r => r.Verb, StringComparer.Ordinal)
            .ToList();
        var services = routes.Select(r => r.Method.Service.FullName).Distinct().Order(StringComparer.Ordinal).ToList();
        var schemas = new SortedDictionary<string, MessageDescriptor>(StringComparer.Ordinal);

        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteString("openapi", "3.0.3");
            json.WriteStartObject("info");
            json.WriteString("title", string.Join(", ", services));
            json.WriteString("description", "JSON API of the gRPC services (gRPC JSON transcoding of their google.api.http rules). " +
                "Errors are google.rpc.Status objects with the HTTP status of their gRPC code; a deadline goes in the grpc-timeout header (e.g. 2S).");
            json.WriteString("version", "v1");
            json.WriteEndObject();
            json.WriteStartArray("security");
            json.WriteStartObject();
            json.WriteStartArray("bearer");
            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();

            json.WriteStartObject("paths");
            foreach (var path in routes.GroupBy(r => r.Path))
            {
                json.WriteStartObject(path.Key);
                foreach (var route in path)
                {
                    WriteOperation(json, route, schemas);
                }

                json.WriteEndObject();
            }

            json.WriteEndObject();

            json.WriteStartObject("components");
            json.WriteStartObject("securitySchemes");
            json.WriteStartObject("bearer");
            json.WriteString("type", "http");
            json.WriteString("scheme", "bearer");
            json.WriteString("bearerFormat", "JWT");
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteStartObject("schemas");
            WriteSchemas(json, schemas);
            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray()) + "\n";
    }

    private static void WriteOperation(Utf8JsonWriter json, Route route, IDictionary<string, MessageDescriptor> schemas)
    {
        var method = route.Method;
        json.WriteStartObject(route.Verb);
        json.WriteString("operationId", $"{method.Service.Name}_{method.Name}");
        json.WriteStartArray("tags");
        json.WriteStringValue(method.Service.Name);
        json.WriteEndArray();
        json.WriteString("summary", $"{method.Service.FullName}/{method.Name}" + (method.IsServerStreaming ? " (server streaming)" : string.Empty));

        var pathFields = route.PathParameters;
        var parameters = pathFields.Select(p => (Name: p, In: "path", Field: FieldAt(method.InputType, p))).ToList();
        if (route.Body != "*")
        {
            parameters.AddRange(method.InputType.Fields.InFieldNumberOrder()
                .Where(f => f.FieldType != FieldType.Message || IsScalarWellKnown(f.MessageType))
                .Where(f => f.Name != route.Body && !pathFields.Contains(f.Name))
                .Select(f => (Name: f.JsonName, In: "query", Field: (FieldDescriptor?)f)));
        }

        if (parameters.Count > 0)
        {
            json.WriteStartArray("parameters");
            foreach (var (name, location, field) in parameters)
            {
                json.WriteStartObject();
                json.WriteString("name", name);
                json.WriteString("in", location);
                json.WriteBoolean("required", location == "path");
                json.WritePropertyName("schema");
                WriteFieldSchema(json, field, schemas);
                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        if (route.Body.Length > 0)
        {
            json.WriteStartObject("requestBody");
            json.WriteBoolean("required", true);
            json.WriteStartObject("content");
            json.WriteStartObject("application/json");
            json.WritePropertyName("schema");
            if (route.Body == "*")
            {
                WriteRef(json, method.InputType, schemas);
            }
            else
            {
                WriteFieldSchema(json, method.InputType.FindFieldByName(route.Body), schemas);
            }

            json.WriteEndObject();
            json.WriteEndObject();
            json.WriteEndObject();
        }

        json.WriteStartObject("responses");
        json.WriteStartObject("200");
        json.WriteString("description", method.IsServerStreaming
            ? "OK: one JSON object per message, streamed as they come"
            : "OK");
        json.WriteStartObject("content");
        json.WriteStartObject("application/json");
        json.WritePropertyName("schema");
        WriteRef(json, method.OutputType, schemas);
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteStartObject("default");
        json.WriteString("description", "Error: the gRPC status as google.rpc.Status (400 INVALID_ARGUMENT with BadRequest field " +
            "violations, 401 UNAUTHENTICATED, 403 PERMISSION_DENIED, 404 NOT_FOUND, 409 ALREADY_EXISTS/ABORTED, 429 RESOURCE_EXHAUSTED, …)");
        json.WriteStartObject("content");
        json.WriteStartObject("application/json");
        json.WriteStartObject("schema");
        json.WriteString("$ref", $"#/components/schemas/{StatusSchema}");
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
        json.WriteEndObject();
    }

    private static FieldDescriptor? FieldAt(MessageDescriptor message, string path)
    {
        FieldDescriptor? field = null;
        foreach (var part in path.Split('.'))
        {
            field = message.FindFieldByName(part);
            if (field?.FieldType == FieldType.Message)
            {
                message = field.MessageType;
            }
        }

        return field;
    }

    private static void WriteRef(Utf8JsonWriter json, MessageDescriptor message, IDictionary<string, MessageDescriptor> schemas)
    {
        if (IsScalarWellKnown(message) || message.FullName == "google.protobuf.Struct")
        {
            WriteWellKnown(json, message);
            return;
        }

        Collect(message, schemas);
        json.WriteStartObject();
        json.WriteString("$ref", $"#/components/schemas/{message.FullName}");
        json.WriteEndObject();
    }

    private static void Collect(MessageDescriptor message, IDictionary<string, MessageDescriptor> schemas)
    {
        if (IsScalarWellKnown(message) || !schemas.TryAdd(message.FullName, message))
        {
            return;
        }

        foreach (var field in message.Fields.InFieldNumberOrder().Where(f => f.FieldType == FieldType.Message))
        {
            if (field.IsMap)
            {
                var value = field.MessageType.FindFieldByNumber(2);
                if (value.FieldType == FieldType.Message)
                {
                    Collect(value.MessageType, schemas);
                }
            }
            else
            {
                Collect(field.MessageType, schemas);
            }
        }
    }

    private static void WriteSchemas(Utf8JsonWriter json, SortedDictionary<string, MessageDescriptor> schemas)
    {
        // Collect found every message reachable from the routes (and the error status) before any is written, so writing
        // them adds nothing to the dictionary it walks.
        Collect(Google.Rpc.Status.Descriptor, schemas);
        foreach (var (name, message) in schemas)
        {
            json.WriteStartObject(name);
            json.WriteString("type", "object");
            json.WriteStartObject("properties");
            foreach (var field in message.Fields.InFieldNumberOrder())
            {
                json.WritePropertyName(field.JsonName);
                WriteFieldSchema(json, field, schemas);
            }

            json.WriteEndObject();
            json.WriteEndObject();
        }
    }

    private static void WriteFieldSchema(Utf8JsonWriter json, FieldDescriptor? field, IDictionary<string, MessageDescriptor> schemas)
    {
        if (field is null)
        {
            json.WriteStartObject();
            json.WriteString("type", "string");
            json.WriteEndObject();
            return;
        }

        if (field.IsMap)
        {
            json.WriteStartObject();
            json.WriteString("type", "object");
            json.WritePropertyName("additionalProperties");
            WriteSingle(json, field.MessageType.FindFieldByNumber(2), schemas);
            json.WriteEndObject();
            return;
        }

        if (field.IsRepeated)
        {
            json.WriteStartObject();
            json.WriteString("type", "array");
            json.WritePropertyName("items");
            WriteSingle(json, field, schemas);
            json.WriteEndObject();
            return;
        }

        WriteSingle(json, field, schemas);
    }

    private static void WriteSingle(Utf8JsonWriter json, FieldDescriptor field, IDictionary<string, MessageDescriptor> schemas)
    {
        switch (field.FieldType)
        {
            case FieldType.Message:
                WriteRef(json, field.MessageType, schemas);
                return;
            case FieldType.Enum:
                json.WriteStartObject();
                json.WriteString("type", "string");
                json.WriteStartArray("enum");
                foreach (var value in field.EnumType.Values)
                {
                    json.WriteStringValue(value.Name);
                }

                json.WriteEndArray();
                json.WriteEndObject();
                return;
            default:
                var (type, format) = Scalar(field.FieldType);
                WriteType(json, type, format);
                return;
        }
    }

    private static (string Type, string? Format) Scalar(FieldType type) => type switch
    {
        FieldType.Double => ("number", "double"),
        FieldType.Float => ("number", "float"),
        FieldType.Int32 or FieldType.SInt32 or FieldType.SFixed32 => ("integer", "int32"),
        FieldType.UInt32 or FieldType.Fixed32 => ("integer", "int64"),
        FieldType.Int64 or FieldType.SInt64 or FieldType.SFixed64 => ("string", "int64"),
        FieldType.UInt64 or FieldType.Fixed64 => ("string", "uint64"),
        FieldType.Bool => ("boolean", null),
        FieldType.Bytes => ("string", "byte"),
        _ => ("string", null),
    };

    private static void WriteType(Utf8JsonWriter json, string type, string? format, string? description = null)
    {
        json.WriteStartObject();
        json.WriteString("type", type);
        if (format is not null)
        {
            json.WriteString("format", format);
        }

        if (description is not null)
        {
            json.WriteString("description", description);
        }

        json.WriteEndObject();
    }

    private static bool IsScalarWellKnown(MessageDescriptor message) => message.FullName switch
    {
        "google.protobuf.Timestamp" or "google.protobuf.Duration" or "google.protobuf.FieldMask" or "google.protobuf.Any"
            or "google.protobuf.Value" or "google.protobuf.Empty" => true,
        _ => message.FullName.StartsWith("google.protobuf.", StringComparison.Ordinal) && message.FullName.EndsWith("Value", StringComparison.Ordinal),
    };

    private static void WriteWellKnown(Utf8JsonWriter json, MessageDescriptor message)
    {
        switch (message.FullName)
        {
            case "google.protobuf.Timestamp":
                WriteType(json, "string", "date-time");
                return;
            case "google.protobuf.Duration":
                WriteType(json, "string", null, "seconds with up to 9 fractional digits and an 's' suffix, e.g. \"1.5s\"");
                return;
            case "google.protobuf.FieldMask":
                WriteType(json, "string", null, "comma-separated lowerCamelCase field paths, e.g. \"displayName,email\"");
                return;
            case "google.protobuf.Any":
                json.WriteStartObject();
                json.WriteString("type", "object");
                json.WriteStartObject("properties");
                json.WriteStartObject("@type");
                json.WriteString("type", "string");
                json.WriteEndObject();
                json.WriteEndObject();
                json.WriteBoolean("additionalProperties", true);
                json.WriteEndObject();
                return;
            case "google.protobuf.Struct" or "google.protobuf.Empty":
                WriteType(json, "object", null);
                return;
            case "google.protobuf.Value":
                json.WriteStartObject();
                json.WriteEndObject();
                return;
            default:
                WriteSingle(json, message.FindFieldByName("value"), new Dictionary<string, MessageDescriptor>());
                return;
        }
    }

    private sealed record Route(MethodDescriptor Method, HttpRule Rule)
    {
        public string Verb => Rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => "get",
            HttpRule.PatternOneofCase.Put => "put",
            HttpRule.PatternOneofCase.Post => "post",
            HttpRule.PatternOneofCase.Delete => "delete",
            HttpRule.PatternOneofCase.Patch => "patch",
            _ => Rule.Custom.Kind.ToLowerInvariant(),
        };

        public string Path => Rule.PatternCase switch
        {
            HttpRule.PatternOneofCase.Get => Rule.Get,
            HttpRule.PatternOneofCase.Put => Rule.Put,
            HttpRule.PatternOneofCase.Post => Rule.Post,
            HttpRule.PatternOneofCase.Delete => Rule.Delete,
            HttpRule.PatternOneofCase.Patch => Rule.Patch,
            _ => Rule.Custom.Path,
        };

        public string Body => Rule.Body;

        /// <summary>The field paths bound by the template's <c>{variables}</c> (a <c>{name=pattern}</c> binds <c>name</c>).</summary>
        public IReadOnlyList<string> PathParameters =>
            [.. Path.Split('{').Skip(1).Select(part => part[..part.IndexOfAny(['}', '='])])];
    }
}
