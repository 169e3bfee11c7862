using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace GrpcMesh.Testing.Oidc;

/// <summary>An asymmetric signing key of the <see cref="TestIdentityProvider"/>: RS256 (RSA 2048) or ES256 (P-256).</summary>
public sealed class TestSigningKey : IDisposable
{
    private readonly AsymmetricAlgorithm _algorithm;

    private TestSigningKey(string keyId, string algorithm, AsymmetricSecurityKey key, AsymmetricAlgorithm owned)
    {
        KeyId = keyId;
        Algorithm = algorithm;
        SecurityKey = key;
        _algorithm = owned;
    }

    public string KeyId { get; }

    /// <summary><c>RS256</c> or <c>ES256</c>.</summary>
    public string Algorithm { get; }

    public AsymmetricSecurityKey SecurityKey { get; }

    public SigningCredentials Credentials => new(SecurityKey, Algorithm);

    public static TestSigningKey Rs256(string keyId)
    {
        var rsa = RSA.Create(2048);
        return new TestSigningKey(keyId, SecurityAlgorithms.RsaSha256, new RsaSecurityKey(rsa) { KeyId = keyId }, rsa);
    }

    public static TestSigningKey Es256(string keyId)
    {
        var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        return new TestSigningKey(keyId, SecurityAlgorithms.EcdsaSha256, new ECDsaSecurityKey(ecdsa) { KeyId = keyId }, ecdsa);
    }

    /// <summary>The public half as a JWK (RFC 7517) member of a JWKS.</summary>
    public Dictionary<string, string> PublicJwk()
    {
        var jwk = new Dictionary<string, string> { ["kid"] = KeyId, ["use"] = "sig", ["alg"] = Algorithm };
        switch (_algorithm)
        {
            case RSA rsa:
                var rsaParameters = rsa.ExportParameters(includePrivateParameters: false);
                jwk["kty"] = "RSA";
                jwk["n"] = Base64UrlEncoder.Encode(rsaParameters.Modulus);
                jwk["e"] = Base64UrlEncoder.Encode(rsaParameters.Exponent);
                break;
            case ECDsa ecdsa:
                var ecParameters = ecdsa.ExportParameters(includePrivateParameters: false);
                jwk["kty"] = "EC";
                jwk["crv"] = "P-256";
                jwk["x"] = Base64UrlEncoder.Encode(ecParameters.Q.X);
                jwk["y"] = Base64UrlEncoder.Encode(ecParameters.Q.Y);
                break;
            default:
                throw new InvalidOperationException($"unsupported key type {_algorithm.GetType().Name}");
        }

        return jwk;
    }

    public void Dispose() => _algorithm.Dispose();
}
