using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Undersigned.Infrastructure;

/// <summary>
/// The service key (<c>Undersigned__DataKey</c>, or one generated into the data folder) and what is derived from it:
/// it wraps each letter's data key, and keys the HMACs that let us recognise an email without storing it.
/// </summary>
public sealed class ServiceKeys
{
    readonly byte[] wrappingKey;
    readonly byte[] emailMacKey;
    readonly byte[] addressMacKey;
    readonly byte[] challengeMacKey;
    readonly byte[] withdrawMacKey;
    readonly byte[] verifyMacKey;
    readonly byte[] webhookSecretKey;
    readonly byte[] publicCursorKey;

    public ServiceKeys(byte[] serviceKey)
    {
        if (serviceKey.Length != 32) throw new StartupException("Undersigned__DataKey must be 32 bytes, base64-encoded.");
        wrappingKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, serviceKey, 32, info: "undersigned letter-key wrapping"u8.ToArray());
        emailMacKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, serviceKey, 32, info: "undersigned email hmac"u8.ToArray());
        addressMacKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, serviceKey, 32, info: "undersigned address hmac"u8.ToArray());
        challengeMacKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, serviceKey, 32, info: "undersigned challenge"u8.ToArray());
        withdrawMacKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, serviceKey, 32, info: "undersigned withdraw token"u8.ToArray());
        verifyMacKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, serviceKey, 32, info: "undersigned verify token"u8.ToArray());
        webhookSecretKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, serviceKey, 32, info: "undersigned webhook secrets"u8.ToArray());
        publicCursorKey = HKDF.DeriveKey(HashAlgorithmName.SHA256, serviceKey, 32, info: "undersigned public cursor"u8.ToArray());
        Fingerprint = Convert.ToHexStringLower(HKDF.DeriveKey(HashAlgorithmName.SHA256, serviceKey, 8, info: "undersigned key fingerprint"u8.ToArray()));
    }

    /// <summary>Names the key without revealing it: recorded in the database, so a wrong key is refused at start-up.</summary>
    public string Fingerprint { get; }

    public static ServiceKeys Load(Settings settings, IHostEnvironment environment, Engine engine, ILogger log)
    {
        if (!string.IsNullOrWhiteSpace(settings.DataKey))
        {
            try { return new ServiceKeys(Convert.FromBase64String(settings.DataKey.Trim())); }
            catch (FormatException) { throw new StartupException("Undersigned__DataKey is not base64."); }
        }
        // A key generated per instance would leave each instance unable to read what the others stored.
        if (engine == Engine.Postgres)
            throw new StartupException("Undersigned__DataKey is required with PostgreSQL: every instance must use the same service key.");
        var path = Path.GetFullPath(Path.Combine(settings.DataDirectory, "data-key"));
        if (!File.Exists(path))
        {
            SecretFile.Write(path, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            if (!environment.IsDevelopment())
                log.LogWarning("Undersigned__DataKey is not set: a data key was generated into {DataKeyFile}. " +
                               "Back it up apart from the database: without it, signers' contact details cannot be read.", path);
        }
        return new ServiceKeys(Convert.FromBase64String(File.ReadAllText(path).Trim()));
    }

    /// <summary>Recognises an email (trimmed, lower-cased) without storing it.</summary>
    public byte[] EmailHmac(string email) => HMACSHA256.HashData(emailMacKey, Encoding.UTF8.GetBytes(Canonical(email)));

    /// <summary>Recognises a client address without storing it: 128 bits of a keyed HMAC.</summary>
    public byte[] AddressHash(System.Net.IPAddress address) => HMACSHA256.HashData(addressMacKey, address.GetAddressBytes())[..16];

    public byte[] ChallengeMac(byte[] payload) => HMACSHA256.HashData(challengeMacKey, payload);

    /// <summary>
    /// A signature's withdraw token: its id and 128 bits of a keyed HMAC of what it is (the letter, the kind, the email),
    /// the same in every email to that signer, so a repeat submission or an access request never breaks a link the
    /// signer keeps. Nothing about it is stored: it is checked by working it out again from the row its id names.
    /// </summary>
    public string WithdrawToken(long signatureId, long letterId, string kind, byte[] emailHmac)
        => SignatureToken(withdrawMacKey, signatureId, emailHmac, letterId, kind);

    /// <summary>The token of a signature's "stop sharing with the partner" link: worked out like the withdraw token, for another purpose.</summary>
    public string StopSharingToken(long signatureId, long letterId, string kind, byte[] emailHmac)
        => SignatureToken(withdrawMacKey, signatureId, emailHmac, letterId, kind, "stop-sharing");

    /// <summary>
    /// A verification token: the signature's id and an HMAC of what confirming it publishes and of when its link was
    /// first sent, so the same details sent again while the link lives get the same link (the first email keeps
    /// working), other details a new one, and an expired link is never revived. Checked like the withdraw token.
    /// </summary>
    public string VerifyToken(long signatureId, long letterId, string kind, byte[] emailHmac, DateTimeOffset issuedAt, IEnumerable<object?> details)
        => SignatureToken(verifyMacKey, signatureId, emailHmac, [letterId, kind, issuedAt.ToUnixTimeMilliseconds(), .. details]);

    static string SignatureToken(byte[] key, long signatureId, byte[] emailHmac, params object?[] parts)
    {
        // Each part length-prefixed, so no two different inputs run together into the same text.
        var text = string.Concat(parts.Prepend(signatureId)
            .Select(part => Convert.ToString(part, System.Globalization.CultureInfo.InvariantCulture) ?? "\\0")
            .Select(part => $"{part.Length}:{part}"));
        var mac = HMACSHA256.HashData(key, (byte[])[.. Encoding.UTF8.GetBytes(text), .. emailHmac])[..16];
        return $"{signatureId}.{Base64Url.EncodeToString(mac)}";
    }

    /// <summary>Whether a token from a link is the one worked out for its signature, compared in constant time.</summary>
    public static bool Matches(string presented, string expected)
        => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));

    /// <summary>The signature id a token names; false for anything not shaped like one.</summary>
    public static bool TryReadSignatureId(string token, out long signatureId)
    {
        signatureId = 0;
        var dot = token.IndexOf('.');
        return dot > 0 && long.TryParse(token.AsSpan(0, dot), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out signatureId);
    }

    public static string Canonical(string email) => email.Trim().ToLowerInvariant();

    public byte[] NewWrappedLetterKey() => Aead.Seal(wrappingKey, RandomNumberGenerator.GetBytes(32));

    public byte[] UnwrapLetterKey(byte[] wrapped) => Aead.Open(wrappingKey, wrapped);

    /// <summary>A webhook secret must be read back to sign with, so it is sealed rather than hashed.</summary>
    public byte[] SealWebhookSecret(string secret) => Aead.SealText(webhookSecretKey, secret);

    /// <summary>
    /// A public list's cursor: the letter and the position sealed together, so it reveals no signature id and one letter's
    /// cursor is refused on another. The nonce is derived from what is sealed, so one position always has one cursor.
    /// </summary>
    public string SealPublicCursor(long letterId, long position)
    {
        Span<byte> plain = stackalloc byte[16];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(plain, letterId);
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(plain[8..], position);
        var sealedBytes = new byte[12 + 16 + 16];
        HMACSHA256.HashData(publicCursorKey, plain)[..12].CopyTo(sealedBytes, 0);
        using var cipher = new AesGcm(publicCursorKey, 16);
        cipher.Encrypt(sealedBytes.AsSpan(0, 12), plain, sealedBytes.AsSpan(12, 16), sealedBytes.AsSpan(28));
        return System.Buffers.Text.Base64Url.EncodeToString(sealedBytes);
    }

    /// <summary>The position a cursor from <see cref="SealPublicCursor"/> holds; null for anything else, or another letter's.</summary>
    public long? OpenPublicCursor(long letterId, string cursor)
    {
        Span<byte> sealedBytes = stackalloc byte[44];
        if (!System.Buffers.Text.Base64Url.IsValid(cursor, out var length) || length != 44
            || System.Buffers.Text.Base64Url.DecodeFromChars(cursor, sealedBytes) != 44) return null;
        Span<byte> plain = stackalloc byte[16];
        try
        {
            using var cipher = new AesGcm(publicCursorKey, 16);
            cipher.Decrypt(sealedBytes[..12], sealedBytes.Slice(12, 16), sealedBytes[28..], plain);
        }
        catch (AuthenticationTagMismatchException)
        {
            return null;
        }
        return System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(plain) == letterId
            ? System.Buffers.Binary.BinaryPrimitives.ReadInt64BigEndian(plain[8..]) : null;
    }

    public string OpenWebhookSecret(byte[] sealedSecret) => Aead.OpenText(webhookSecretKey, sealedSecret);
}

/// <summary>AES-256-GCM with the nonce and tag kept beside the ciphertext: nonce(12) | ciphertext | tag(16).</summary>
public static class Aead
{
    // Setting up a cipher costs more than sealing an email address with it, and an export or a batch of mail uses one
    // key many times over: each thread keeps the last key's cipher (AesGcm is not thread-safe; no call here awaits).
    [ThreadStatic] static byte[]? lastKey;
    [ThreadStatic] static AesGcm? lastCipher;

    static AesGcm Cipher(byte[] key)
    {
        if (!ReferenceEquals(key, lastKey) || lastCipher is null)
        {
            lastCipher?.Dispose();
            lastCipher = new AesGcm(key, 16);
            lastKey = key;
        }
        return lastCipher;
    }

    public static byte[] Seal(byte[] key, ReadOnlySpan<byte> plaintext)
    {
        var sealedBytes = new byte[12 + plaintext.Length + 16];
        var nonce = sealedBytes.AsSpan(0, 12);
        RandomNumberGenerator.Fill(nonce);
        Cipher(key).Encrypt(nonce, plaintext, sealedBytes.AsSpan(12, plaintext.Length), sealedBytes.AsSpan(12 + plaintext.Length));
        return sealedBytes;
    }

    public static byte[] Open(byte[] key, ReadOnlySpan<byte> sealedBytes)
    {
        var plaintext = new byte[sealedBytes.Length - 28];
        Cipher(key).Decrypt(sealedBytes[..12], sealedBytes.Slice(12, plaintext.Length), sealedBytes[^16..], plaintext);
        return plaintext;
    }

    public static byte[] SealText(byte[] key, string text) => Seal(key, Encoding.UTF8.GetBytes(text));
    public static string OpenText(byte[] key, byte[] sealedBytes) => Encoding.UTF8.GetString(Open(key, sealedBytes));
}

