using System.Reflection;
using System.Reflection.Emit;
using System.Security.Cryptography;
using System.Text;
using Sightline.ApiKeys.Internal;

namespace Sightline.ApiKeys.Tests.Keys;

public sealed class ApiKeyHasherTests
{
    private const string Pepper1 = "pepper-one-0123456789abcdef";
    private const string Pepper2 = "pepper-two-0123456789abcdef";

    [Fact]
    public void Hash_NoPepper_IsSha256OfKey()
    {
        var key = ApiKeyFormat.Default.Generate();
        var hasher = new ApiKeyHasher(new ApiKeyOptions());

        Assert.Equal(0, hasher.CurrentVersion);
        Assert.Equal(SHA256.HashData(Encoding.ASCII.GetBytes(key)), hasher.Hash(key));
    }

    [Fact]
    public void Hash_WithPepper_IsHmacSha256KeyedByLatestPepper()
    {
        var key = ApiKeyFormat.Default.Generate();
        var hasher = new ApiKeyHasher(new ApiKeyOptions { Peppers = { [1] = Pepper1, [2] = Pepper2 } });

        Assert.Equal(2, hasher.CurrentVersion);
        Assert.Equal(HMACSHA256.HashData(Encoding.UTF8.GetBytes(Pepper2), Encoding.ASCII.GetBytes(key)), hasher.Hash(key));
        Assert.NotEqual(SHA256.HashData(Encoding.ASCII.GetBytes(key)), hasher.Hash(key));
    }

    [Fact]
    public void Verify_OldPepperVersionStillConfigured_Verifies()
    {
        var key = ApiKeyFormat.Default.Generate();
        var old = new ApiKeyHasher(new ApiKeyOptions { Peppers = { [1] = Pepper1 } });
        var hash = old.Hash(key);
        var rotated = new ApiKeyHasher(new ApiKeyOptions { Peppers = { [1] = Pepper1, [2] = Pepper2 } });

        Assert.True(rotated.Verify(key, hash, 1));
        Assert.False(rotated.Verify(key, hash, 2));
        Assert.False(new ApiKeyHasher(new ApiKeyOptions { Peppers = { [2] = Pepper2 } }).Verify(key, hash, 1));
    }

    [Fact]
    public void Verify_WrongKeyOrTruncatedHash_False()
    {
        var hasher = ApiKeyHasher.Unpeppered;
        var key = ApiKeyFormat.Default.Generate();
        var hash = hasher.Hash(key);

        Assert.True(hasher.Verify(key, hash, 0));
        Assert.False(hasher.Verify(ApiKeyFormat.Default.Generate(), hash, 0));
        Assert.False(hasher.Verify(key, hash.AsSpan(0, 31), 0));
        Assert.False(hasher.Verify(key, new byte[32], 0));
    }

    [Fact]
    public void Verify_ComparesWithFixedTimeEquals()
    {
        // The comparison's constant time is the framework's guarantee; what we assert is that Verify uses it and nothing else.
        var calls = CalledMethods(typeof(ApiKeyHasher).GetMethod(nameof(ApiKeyHasher.Verify))!);

        Assert.Contains(calls, m => m.DeclaringType == typeof(CryptographicOperations) && m.Name == nameof(CryptographicOperations.FixedTimeEquals));
        Assert.DoesNotContain(calls, m => m.Name is "SequenceEqual" or "Equals" or "SequenceCompareTo");
    }

    [Fact]
    public void Validator_ComparesHashesOnlyThroughHasherVerify()
    {
        var check = typeof(ApiKeyValidator).GetMethod("Check", BindingFlags.NonPublic | BindingFlags.Instance)!;
        var calls = CalledMethods(check);

        Assert.Contains(calls, m => m.DeclaringType == typeof(ApiKeyHasher) && m.Name == nameof(ApiKeyHasher.Verify));
        Assert.DoesNotContain(calls, m => m.Name is "SequenceEqual" or "SequenceCompareTo");
    }

    [Theory]
    [InlineData(1, "short", "too short")]
    [InlineData(0, "pepper-zero-0123456789", "versions start at 1")]
    public void Constructor_BadPepper_ThrowsNamingOption(int version, string pepper, string expected)
    {
        var error = Assert.Throws<ArgumentException>(() => new ApiKeyHasher(new ApiKeyOptions { Peppers = { [version] = pepper } }));
        Assert.Contains("Sightline:ApiKeys:Peppers", error.Message, StringComparison.Ordinal);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_CurrentVersionNotConfigured_Throws()
    {
        var error = Assert.Throws<ArgumentException>(() => new ApiKeyHasher(new ApiKeyOptions { Peppers = { [1] = Pepper1 }, CurrentPepperVersion = 3 }));
        Assert.Contains("CurrentPepperVersion", error.Message, StringComparison.Ordinal);
    }

    /// <summary>Every method a method body calls (call/callvirt/newobj), read from its IL.</summary>
    internal static List<MethodBase> CalledMethods(MethodInfo method)
    {
        var il = method.GetMethodBody()!.GetILAsByteArray()!;
        var opcodes = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static).Select(f => (OpCode)f.GetValue(null)!)
            .ToDictionary(o => (ushort)o.Value);
        var result = new List<MethodBase>();
        for (var i = 0; i < il.Length;)
        {
            ushort value = il[i] == 0xFE ? (ushort)(0xFE00 | il[i + 1]) : il[i];
            var op = opcodes[value];
            i += op.Size;
            if (op == OpCodes.Call || op == OpCodes.Callvirt || op == OpCodes.Newobj)
            {
                var token = BitConverter.ToInt32(il, i);
                if (method.Module.ResolveMember(token, method.DeclaringType!.GetGenericArguments(), null) is MethodBase called) result.Add(called);
            }
            i += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (BitConverter.ToInt32(il, i) * 4),
                _ => 4,
            };
        }
        return result;
    }
}
