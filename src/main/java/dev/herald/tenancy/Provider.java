package dev.herald.tenancy;

import java.time.Instant;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.GeneratedValue;
import jakarta.persistence.GenerationType;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;

/** A channel configuration of an application (OsmoX: channelType 1 SMTP, 2 Mailgun, ...). */
@Entity
@Table(name = "provider")
public class Provider extends PanacheEntityBase {

    @Id
    @GeneratedValue(strategy = GenerationType.IDENTITY)
    public Integer id;

    @Column(name = "application_id")
    public Integer applicationId;

    public String name;

    @Column(name = "channel_type")
    public Integer channelType;

    @Column(name = "created_on")
    public Instant createdOn;

    @Column(name = "updated_on")
    public Instant updatedOn;
}
