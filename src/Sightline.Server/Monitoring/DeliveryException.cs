namespace Sightline.Server.Monitoring;

/// <summary>A notification attempt that failed for a reason worth showing as is (receiver status, missing SMTP settings).</summary>
internal sealed class DeliveryException(string message) : Exception(message);
