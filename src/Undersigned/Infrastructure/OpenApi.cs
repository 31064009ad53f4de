using System.Text.Json;
using System.Text.RegularExpressions;
using FastEndpoints;
using Microsoft.OpenApi;
using Swashbuckle.AspNetCore.SwaggerGen;

namespace Undersigned.Infrastructure;

/// <summary>A request header an endpoint reads itself, declared for the OpenAPI document.</summary>
public sealed record RequestHeader(string Name, string Description, bool Required);

public static class OpenApi
{
    /// <summary>Declares problem responses with their documented shape.</summary>
    public static RouteHandlerBuilder Problems(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.Produces<Problem>(status, "application/problem+json");
        return builder;
    }

    /// <summary><c>Features.Letters.Create.Request</c> becomes <c>Letters.Create.Request</c>: every slice has a Request.</summary>
    public static string SchemaId(Type type)
    {
        var name = type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`')]}Of{string.Join("And", type.GetGenericArguments().Select(SchemaId))}"
            : type.Name;
        var ns = type.Namespace ?? "";
        // Schema ids keep the area's name (Letters.TextVersion) whether a type lives with its feature or in the domain.
        var area = ns.Split('.') is ["Undersigned", "Features" or "Domain", .. var rest] && rest.Length > 0 ? string.Join('.', rest) + "." : "";
        return (area + name).Replace('+', '.');
    }
}

/// <summary>
/// Adds what Swashbuckle cannot see on FastEndpoints endpoints: route, query and header parameters,
/// and the key requirement with its 401/403 answers.
/// </summary>
public sealed partial class FastEndpointsOperationFilter : IOperationFilter
{
    [GeneratedRegex(@"\{(?<name>\w+)(:(?<constraint>[^}]+))?\}")]
    private static partial Regex RouteParameter();

    [GeneratedRegex(@"^regex\(\^\((?<choices>[\w|]+)\)\\z\)\z")]
    private static partial Regex ChoiceConstraint();

    public void Apply(OpenApiOperation operation, OperationFilterContext context)
    {
        var metadata = context.ApiDescription.ActionDescriptor.EndpointMetadata;
        var definition = metadata.OfType<EndpointDefinition>().FirstOrDefault();
        if (definition is null) return;
        operation.Parameters ??= [];

        foreach (Match match in RouteParameter().Matches(definition.Routes[0]))
        {
            var name = match.Groups["name"].Value;
            if (operation.Parameters.Any(p => p.Name == name)) continue;
            var constraint = match.Groups["constraint"].Value;
            var schema = context.SchemaGenerator.GenerateSchema(constraint == "long" ? typeof(long) : typeof(string), context.SchemaRepository);
            if (ChoiceConstraint().Match(constraint) is { Success: true } choices && schema is OpenApiSchema stringSchema)
                stringSchema.Enum = choices.Groups["choices"].Value.Split('|').Select(c => (System.Text.Json.Nodes.JsonNode)c).ToList();
            operation.Parameters.Add(new OpenApiParameter { Name = name, In = ParameterLocation.Path, Required = true, Schema = schema });
        }

        if (context.ApiDescription.HttpMethod == "GET" && definition.ReqDtoType != typeof(EmptyRequest))
        {
            foreach (var property in definition.ReqDtoType.GetProperties().Where(p => p.CanWrite))
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = JsonNamingPolicy.CamelCase.ConvertName(property.Name), In = ParameterLocation.Query,
                    Schema = context.SchemaGenerator.GenerateSchema(property.PropertyType, context.SchemaRepository),
                });
            operation.RequestBody = null;
        }

        else if (operation.RequestBody is null && definition.ReqDtoType != typeof(EmptyRequest))
            operation.RequestBody = new OpenApiRequestBody
            {
                Required = true,
                Content = new Dictionary<string, IOpenApiMediaType>
                {
                    ["application/json"] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(definition.ReqDtoType, context.SchemaRepository) },
                },
            };

        foreach (var header in metadata.OfType<RequestHeader>())
            operation.Parameters.Add(new OpenApiParameter
            {
                Name = header.Name, In = ParameterLocation.Header, Required = header.Required, Description = header.Description,
                Schema = new OpenApiSchema { Type = JsonSchemaType.String },
            });

        if (definition.AllowedRoles is not { Count: > 0 } roles)
            operation.Security = []; // public: stated, not forgotten
        else
        {
            operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("bearer", context.Document)] = [] }];
            operation.Responses ??= new OpenApiResponses();
            operation.Responses["401"] = ProblemResponse(context, "No key, or a revoked one.");
            if (!roles.Contains(Role.Staff)) operation.Responses["403"] = ProblemResponse(context, "A staff key on an admin route.");
        }
        // Every route that reads a body can answer these before it runs (ErrorMiddleware): say so where it can happen.
        if (operation.RequestBody is not null)
        {
            operation.Responses ??= new OpenApiResponses();
            operation.Responses.TryAdd("413", ProblemResponse(context, $"The body is over {Limits.MaxRequestBody / 1024} KB."));
            operation.Responses.TryAdd("415", ProblemResponse(context, "The body is not JSON."));
        }
        if (operation.Parameters.Count == 0) operation.Parameters = null;
    }

    static OpenApiResponse ProblemResponse(OperationFilterContext context, string description) => new()
    {
        Description = description,
        Content = new Dictionary<string, IOpenApiMediaType>
        {
            ["application/problem+json"] = new OpenApiMediaType { Schema = context.SchemaGenerator.GenerateSchema(typeof(Problem), context.SchemaRepository) },
        },
    };
}

/// <summary>The document's servers and tag descriptions.</summary>
public sealed class DocumentFilter : IDocumentFilter
{
    static readonly Dictionary<string, string> Tags = new()
    {
        ["Letters"] = "Campaign staff draft, publish, edit, extend and close open letters.",
        ["Keys"] = "Admins create and revoke the API keys staff use.",
        ["Signatures"] = "Staff read, add, correct, moderate, erase and invalidate signatures (contact details included).",
        ["Delivery"] = "The letter with its signatory block for its target, the staff CSV, and who exported what.",
        ["Public"] = "What signers and partner sites use without a key: the letter, signing, confirmation, withdrawal.",
        ["Widget"] = "The embeddable signature widget (script and iframe modes).",
        ["Privacy"] = "Access requests and retention.",
        ["Audit"] = "The audit trail (admin).",
        ["Admin"] = "The pause switch (admin).",
        ["Service"] = "Health of the running service.",
    };

    public void Apply(OpenApiDocument document, DocumentFilterContext context)
    {
        document.Servers = [new OpenApiServer { Url = "/", Description = "This service" }];
        document.Tags = new HashSet<OpenApiTag>(Tags.Select(t => new OpenApiTag { Name = t.Key, Description = t.Value }));
    }
}
