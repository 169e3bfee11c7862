using System.Text.RegularExpressions;
using Grpc.Core;
using GrpcMesh.Clients.Statuses;
using GrpcMesh.ServiceDefaults.Errors;
using GrpcMesh.ServiceDefaults.Validation;
using GrpcMesh.User.V1;
using MeshSample.V1;

namespace MeshSample;

/// <summary>meshsample.v1.MeshSampleService: items in <see cref="ItemStore"/>, owners checked with UserService.</summary>
public sealed partial class ItemGrpcService(ItemStore store, UserService.UserServiceClient users) : MeshSampleService.MeshSampleServiceBase
{
    public override async Task<GetItemResponse> GetItem(GetItemRequest request, ServerCallContext context)
    {
        ValidateItemId("item_id", request.ItemId);
        var item = await store.GetAsync(request.ItemId, context.CancellationToken) ?? throw RpcErrors.NotFound("item", request.ItemId);
        return new GetItemResponse { Item = item };
    }

    public override async Task<PutItemResponse> PutItem(PutItemRequest request, ServerCallContext context)
    {
        var item = request.Item ?? throw RpcErrors.InvalidArgument("item", "item is required");
        ValidateItemId("item.item_id", item.ItemId);
        var violations = new List<FieldViolation>();
        if (string.IsNullOrWhiteSpace(item.Name) || item.Name.Length > 200)
        {
            violations.Add(new("item.name", "name is required, at most 200 characters"));
        }

        if (item.Quantity < 0)
        {
            violations.Add(new("item.quantity", $"quantity must be 0 or more, not {item.Quantity}"));
        }

        if (string.IsNullOrEmpty(item.OwnerUserId))
        {
            violations.Add(new("item.owner_user_id", "owner_user_id is required: the UserService id of the owner"));
        }

        if (violations.Count > 0)
        {
            throw RpcErrors.InvalidArgument(violations);
        }

        await EnsureOwnerExistsAsync(item.OwnerUserId, context.CancellationToken);
        await store.PutAsync(item, context.CancellationToken);
        return new PutItemResponse { Item = item };
    }

    /// <summary>Asks UserService (through the GrpcMesh client: deadline, retry, breaker) whether the owner exists.</summary>
    private async Task EnsureOwnerExistsAsync(string userId, CancellationToken cancellationToken)
    {
        try
        {
            await users.GetUserAsync(new GetUserRequest { UserId = userId }, cancellationToken: cancellationToken);
        }
        catch (RpcException e) when (e.StatusCode == StatusCode.NotFound)
        {
            throw RpcErrors.FailedPrecondition("OWNER_NOT_FOUND", $"users/{userId}", $"owner_user_id '{userId}' is not a UserService user; create the user first");
        }
        catch (RpcException e) when (StatusTaxonomy.KindOf(e) is StatusKind.Unavailable or StatusKind.Timeout or StatusKind.Overload or StatusKind.CircuitOpen)
        {
            throw RpcErrors.Unavailable($"UserService could not confirm the owner ({e.StatusCode}); try again later");
        }
        catch (RpcException e)
        {
            throw RpcErrors.Internal($"UserService refused this service's owner check with {e.StatusCode}: {e.Status.Detail}");
        }
    }

    private static void ValidateItemId(string field, string value)
    {
        if (!ItemId().IsMatch(value))
        {
            throw RpcErrors.InvalidArgument(field, $"{field} must be 1–64 characters of letters, digits, '-' and '_'");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex ItemId();
}
